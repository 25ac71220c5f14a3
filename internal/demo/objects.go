package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Object bounds and numbering.
const (
	// maxMessages bounds one member's messages; creates past it are refused.
	maxMessages = 200
	// maxSubject and maxMessageBody bound a message, in characters.
	maxSubject     = 200
	maxMessageBody = 4096
	// firstFileNumber is the first sequential file ID of the PublicFiles
	// flaw.
	firstFileNumber = 1001
)

// invoice is one of a member's invoices: a row of the billing page and an
// item of /api/invoices.
type invoice struct {
	ID, Number, Date, Amount, Status string
}

// newInvoice is an invoice with a random, unguessable ID.
func newInvoice(number, date, amount, status string) invoice {
	return invoice{ID: "inv_" + randomHex(8), Number: number, Date: date, Amount: amount, Status: status}
}

// card is a payment card on file (its last four digits only).
type card struct {
	ID, Brand, Last4, Expires string
}

// newCard is a card with a random ID.
func newCard(brand, last4, expires string) card {
	return card{ID: "card_" + randomHex(8), Brand: brand, Last4: last4, Expires: expires}
}

// message is one message in a member's inbox; its fields change through
// the API (guarded by app.mu).
type message struct {
	id, from, subject, body string
	sent                    time.Time
}

// newMessage is a message with a random ID, sent now.
func newMessage(from, subject, body string) *message {
	return &message{id: "msg_" + randomHex(8), from: from, subject: subject, body: body, sent: time.Now().UTC()}
}

// file is a document a member can download.
type file struct {
	id, name, content string
}

// seed gives a pre-verified account its two messages and two files. The
// file IDs are the next sequential numbers with PublicFiles, else random.
// Called before the app serves, for the accounts Start creates; signups
// start with none.
func (a *app) seed(m *member) {
	first, _, _ := strings.Cut(m.display, " ")
	code := strings.ToUpper(m.name)
	m.messages = []*message{
		newMessage("Portal community team", "Welcome to Portal, "+m.display,
			fmt.Sprintf("Hi %s (%s), your %s membership is active. Your member reference is PM-%s-%s.",
				m.display, m.email, m.plan, code, randomHex(3))),
		newMessage("Events desk", "Your RSVP: "+m.event,
			fmt.Sprintf("%s, your seat is confirmed for %s. Show ticket %s-%s at the door.", first, m.event, code, randomHex(3))),
	}
	m.files = []file{
		{id: a.newFileID(), name: "membership-certificate.txt", content: fmt.Sprintf(
			"Membership certificate for %s <%s>\nPlan: %s, renews %s\nMember ID: %s\n", m.display, m.email, m.plan, m.renews, m.id)},
		{id: a.newFileID(), name: "event-ticket.txt", content: fmt.Sprintf(
			"Event ticket for %s <%s>\nEvent: %s\n", m.display, m.email, m.event)},
	}
}

// newFileID returns the next sequential number with PublicFiles (shared by
// every member), else a random ID. Not safe for concurrent use: files are
// made only by seed, before the app serves.
func (a *app) newFileID() string {
	if a.f.PublicFiles {
		id := strconv.Itoa(a.nextFile)
		a.nextFile++
		return id
	}
	return "file_" + randomHex(16)
}

// mayAccess reports whether the requester may use an object owned by
// owner: only its owner, or anyone logged in when the kind's flaw is on.
func mayAccess(au *authState, owner *member, flawed bool) bool {
	return au != nil && (au.m == owner || flawed)
}

// invoiceLocked finds an invoice by ID and its owner.
func (a *app) invoiceLocked(id string) (*member, invoice, bool) {
	for _, m := range a.members {
		for _, inv := range m.invoices {
			if inv.ID == id {
				return m, inv, true
			}
		}
	}
	return nil, invoice{}, false
}

// cardLocked finds a card by ID and its owner.
func (a *app) cardLocked(id string) (*member, card, bool) {
	for _, m := range a.members {
		for _, c := range m.cards {
			if c.ID == id {
				return m, c, true
			}
		}
	}
	return nil, card{}, false
}

// messageLocked finds a message by ID and its owner.
func (a *app) messageLocked(id string) (*member, *message) {
	for _, m := range a.members {
		for _, msg := range m.messages {
			if msg.id == id {
				return m, msg
			}
		}
	}
	return nil, nil
}

// fileLocked finds a file by ID and its owner.
func (a *app) fileLocked(id string) (*member, file, bool) {
	for _, m := range a.members {
		for _, f := range m.files {
			if f.id == id {
				return m, f, true
			}
		}
	}
	return nil, file{}, false
}

// removeMessageLocked deletes a message from its owner's inbox.
func removeMessageLocked(owner *member, msg *message) {
	for i, x := range owner.messages {
		if x == msg {
			owner.messages = append(owner.messages[:i:i], owner.messages[i+1:]...)
			return
		}
	}
}
