package config

import (
	"reflect"
	"strings"
)

// HasKey reports whether path names a key of launchready.yaml, as the
// strict decoder reads it: dotted (auth.login.path), a list's elements
// written [] (objects[].create), a mapping's entries by any name
// (accounts.a, target.headers.X-Key). Messages and `launchready checks`
// name keys; tests use this to prove each one exists.
func HasKey(path string) bool {
	if path == "" {
		return false
	}
	t := reflect.TypeFor[Config]()
	for part := range strings.SplitSeq(path, ".") {
		name, list := strings.CutSuffix(part, "[]")
		if name == "" {
			return false
		}
		switch t = deref(t); t.Kind() {
		case reflect.Struct:
			f, ok := lookupField(structFields(t), name)
			if !ok {
				return false
			}
			t = t.Field(f.index).Type
		case reflect.Map:
			t = t.Elem()
		default:
			return false
		}
		if list {
			if t = deref(t); t.Kind() != reflect.Slice {
				return false
			}
			t = t.Elem()
		}
	}
	return true
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// NeedConfigKeys names the config keys that give need (one of NeedKeys),
// for `launchready checks` and `launchready explain`: most needs are a key
// of their own name; the others are a key (auth.form is the portal's own
// login, auth.login), a list element's key (objects[].create) or a key's
// value (session.kind=cookie, the default). An unknown need is returned
// as it is, which the tests of every check's needs catch.
func NeedConfigKeys(need string) string {
	switch need {
	case "auth.form":
		return "auth.login"
	case "session.cookie":
		return "session.kind=cookie"
	case "objects.create":
		return "objects[].create"
	}
	return need
}
