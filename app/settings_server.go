package app

import (
	"context"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

// serverForm is Settings' "Practice server": where this computer's
// database is, and the way onto the practice's shared PostgreSQL server.
type serverForm struct {
	u                          *UI
	host, port, database, user *fitEntry
	password                   *widget.Entry
	tls                        *widget.Select
	status                     *widget.Label
	progress                   *widget.ProgressBar
	use, move, leave           *widget.Button
	dlg                        dialog.Dialog
}

// tlsChoices are the encryption choices, in words, and the form's values.
var tlsChoices = [][2]string{
	{"When the server offers it", ""},
	{"Always, with the server's certificate checked", "require"},
	{"Off (only on the practice's own network)", "off"},
}

// serverPane is the section in Settings: which database this computer
// uses, and the button to the practice server's dialog.
func (s *settingsScreen) serverPane() fyne.CanvasObject {
	s.where = wrapped(whereText(s.ui.work))
	open := widget.NewButton("Practice server…", s.onServer)
	return container.NewVBox(s.where, container.NewHBox(open))
}

// whereText says which database this computer works on.
func whereText(w *workflow.Workflow) string {
	if w.OnServer() {
		return "This computer works on the practice server " + w.Path() + ", shared with the practice's other computers."
	}
	return "This computer works on its own database file, " + w.Path() + ". Several computers share one practice " +
		"through a PostgreSQL server in the office."
}

// onServer opens the practice server's dialog.
func (s *settingsScreen) onServer() {
	u := s.ui
	f := &serverForm{u: u, status: wrapped(""), progress: widget.NewProgressBar()}
	s.server = f
	f.host, f.port, f.database, f.user = hinted("e.g. office-server or 192.168.1.10"), hinted("5432"), hinted("kindly"), hinted("kindly")
	f.password = widget.NewPasswordEntry()
	f.password.SetPlaceHolder("kept in this computer's keychain")
	var labels []string
	for _, c := range tlsChoices {
		labels = append(labels, c[0])
	}
	f.tls = widget.NewSelect(labels, nil)
	f.tls.SetSelectedIndex(0)
	f.progress.Hide()
	test := widget.NewButton("Test connection", f.onTest)
	f.use = widget.NewButton("Use this server", f.onUse)
	f.move = widget.NewButton("Move this practice there…", f.onMove)
	f.leave = widget.NewButton("Use this computer's own file", f.onLeave)
	if u.work.OnServer() {
		f.move.Hide()
	} else {
		f.leave.Hide()
	}
	form := widget.NewForm(widget.NewFormItem("Server", f.host), widget.NewFormItem("Port", f.port),
		widget.NewFormItem("Database", f.database), widget.NewFormItem("User", f.user),
		widget.NewFormItem("Password", f.password), widget.NewFormItem("Encryption", f.tls))
	intro := wrapped("Every computer of the practice connects to one PostgreSQL server in the office (or on its NAS): " +
		"the same patients, opt-outs and campaigns everywhere, and one computer sends at a time. " +
		"The server's administrator makes Kindly's database there first (Kindly's README, \"Several computers\", says how).")
	body := container.NewVBox(intro, form, container.NewHBox(test, f.use, f.move, f.leave), f.progress, f.status)
	f.dlg = dialog.NewCustom("Practice server", "Close", container.NewVScroll(body), u.window)
	f.dlg.Resize(dialogSize(u.window, 640, 560))
	f.dlg.Show()
}

// read is the form as the workflow takes it.
func (f *serverForm) read() (workflow.ServerForm, string, error) {
	sf := workflow.ServerForm{Host: f.host.Text, Database: f.database.Text, User: f.user.Text, Password: f.password.Text}
	if f.user.Text == "" {
		sf.User = "kindly"
	}
	if f.port.Text != "" {
		p, err := strconv.Atoi(f.port.Text)
		if err != nil {
			return sf, "", &data.ValidationError{Field: "port", Message: "The port is a number (PostgreSQL's is 5432)."}
		}
		sf.Port = p
	}
	sf.TLS = tlsChoices[max(f.tls.SelectedIndex(), 0)][1]
	address, err := sf.Address()
	return sf, address, err
}

func (f *serverForm) onTest() {
	sf, address, err := f.read()
	if err != nil {
		f.status.SetText(errorText(err))
		return
	}
	f.status.SetText("Connecting to " + sf.Host + "…")
	background(f.u, func(ctx context.Context) (none, error) { return none{}, workflow.TestServer(ctx, address, sf.Password) },
		func(_ none, err error) {
			if err != nil {
				f.status.SetText("Not connected: " + errorText(err) + ".")
				return
			}
			f.status.SetText("The server answers, and Kindly's database there is ready.")
		})
}

func (f *serverForm) onUse() {
	sf, address, err := f.read()
	if err != nil {
		f.status.SetText(errorText(err))
		return
	}
	dialog.ShowConfirm("Use the practice server?",
		"From its next start, this computer works on the practice server "+sf.Host+" instead of its own file.\n"+
			"The file stays on this computer as it is. To bring its patients along, use Move this practice there.",
		func(ok bool) {
			if !ok {
				return
			}
			f.status.SetText("Connecting…")
			background(f.u, func(ctx context.Context) (string, error) { return workflow.ConnectServer(ctx, address, sf.Password) },
				func(note string, err error) {
					if err != nil {
						f.status.SetText("Not connected: " + errorText(err) + ".")
						return
					}
					f.status.SetText(joinNote("Close and reopen Kindly to work on the practice server.", note))
				})
		}, f.u.window)
}

func (f *serverForm) onMove() {
	sf, address, err := f.read()
	if err != nil {
		f.status.SetText(errorText(err))
		return
	}
	dialog.ShowConfirm("Move this practice to the server?",
		"Everything of this computer's practice is copied into the empty database on "+sf.Host+" and checked,\n"+
			"table by table; then this computer works on the server from its next start. The file stays as it is.",
		func(ok bool) {
			if ok {
				f.runMove(address, sf.Password)
			}
		}, f.u.window)
}

// runMove copies the practice onto the server with a progress bar.
func (f *serverForm) runMove(address, password string) {
	f.move.Disable()
	f.progress.SetValue(0)
	f.progress.Show()
	f.status.SetText("Copying…")
	show := newLatest(f.u, func(p data.CopyProgress) {
		f.progress.SetValue(float64(p.Done) / float64(max(p.Of, 1)))
		if p.Verifying {
			f.status.SetText(fmt.Sprintf("Checking the copy: %d of %d tables", p.Done, p.Of))
			return
		}
		f.status.SetText(fmt.Sprintf("Copying %s: %s", p.Table, data.Count(int(p.Rows), "row", "rows")))
	})
	background(f.u, func(ctx context.Context) (workflow.MoveReport, error) {
		return f.u.work.MoveToServer(ctx, address, password, show.put)
	}, func(r workflow.MoveReport, err error) {
		f.progress.Hide()
		f.move.Enable()
		if err != nil {
			f.status.SetText("Nothing was moved: " + errorText(err) + ".")
			return
		}
		f.status.SetText(joinNote(fmt.Sprintf("Moved %s to the server and checked every table. Close and reopen Kindly "+
			"to work on the server; connect the other computers with Use this server.", data.Count(int(r.Patients()), "patient", "patients")), r.Note))
	})
}

func (f *serverForm) onLeave() {
	dialog.ShowConfirm("Use this computer's own file?",
		"From its next start, this computer works on its own database file again. The practice's data stays\n"+
			"on the server for the other computers; this computer no longer sees their changes.",
		func(ok bool) {
			if !ok {
				return
			}
			if err := workflow.DisconnectServer(); err != nil {
				f.status.SetText(errorText(err))
				return
			}
			f.status.SetText("Close and reopen Kindly to work on this computer's own file.")
		}, f.u.window)
}

// joinNote adds a note (a keychain that could not keep the password) to a
// sentence.
func joinNote(text, note string) string {
	if note == "" {
		return text
	}
	return text + " " + note + "."
}
