package cli

import (
	"github.com/spf13/cobra"

	"github.com/launchready/launchready/internal/report"
)

// reportFlags are the report command's flags.
type reportFlags struct {
	outs                    []string
	noColor, verbose        bool
	baselinePath, reportURL string
}

func newReport(s *streams) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report IN.json",
		Short: "Render a saved JSON report again, in any format, optionally compared with an earlier one",
		Long: "report reads a JSON report written by scan, demo or secrets (--out FILE.json), prints its scorecard and writes\n" +
			"each --out file in the format its extension names (.json .html .sarif .xml .md). Nothing is re-decided: the\n" +
			"verdict, score and findings are the saved ones. With --baseline OLD.json every finding is marked new or\n" +
			"unchanged and the baseline's fixed findings are listed, in every format and the headline.\n" +
			"Exit code: the saved verdict (0 GO, 1 NO-GO, 3 NOT VERIFIED); 2 for a usage error or an unreadable report.",
		Example: "  launchready report scan.json --out scan.html --out scan.sarif\n" +
			"  launchready report today.json --baseline yesterday.json --out pr-comment.md --report-url https://ci.example/run/42/report.html",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, out := range f.outs {
				if _, err := report.ForPath(out); err != nil {
					return usageErr("%v", err)
				}
				if err := checkOut("--out", out); err != nil {
					return err
				}
			}
			if err := checkReportURL(f.reportURL); err != nil {
				return err
			}
			run, err := readReport("report", args[0])
			if err != nil {
				return err
			}
			var base *report.Run
			if f.baselinePath != "" {
				if base, err = readReport("--baseline", f.baselinePath); err != nil {
					return err
				}
			}
			rf := &runFlags{outs: f.outs, noColor: f.noColor, verbose: f.verbose, baseline: base, reportURL: f.reportURL}
			return finish(s, run, rf)
		},
	}
	cmd.Flags().StringArrayVar(&f.outs, "out", nil, "write the report to `FILE`; format by extension (.json .html .sarif .xml .md); repeatable")
	cmd.Flags().BoolVar(&f.noColor, "no-color", false, "no colour in the terminal scorecard even on a TTY")
	registerRender(cmd, &f.verbose, &f.baselinePath, &f.reportURL)
	return cmd
}
