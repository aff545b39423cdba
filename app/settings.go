package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/mailer"
)

// settingsScreen holds the practice profile, the mail account with its
// limits and the frequency cap, and the backups.
type settingsScreen struct {
	ui *UI

	name, address, phone, email, zone, signature        *widget.Entry
	preset                                              *widget.Select
	host, port, user, from, password, perMinute, perDay *widget.Entry
	tls                                                 *widget.Select
	capCount, capDays                                   *widget.Entry
	presetNote, status                                  *widget.Label
	backups                                             *widget.List
	backupFiles                                         []string
	backupZone                                          *time.Location // the practice's, for the backups' times
	chosenBackup                                        int
	audit                                               *widget.Label
	box                                                 fyne.CanvasObject
}

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{ui: u}
	e := func(hint string) *widget.Entry { w := widget.NewEntry(); w.SetPlaceHolder(hint); return w }
	s.name, s.address, s.phone, s.email = e("Sunny Family Practice"), e("1 Main Street, Springfield"), e("555-0100"), e("front@practice.example")
	s.zone = e("e.g. America/New_York")
	s.signature = widget.NewMultiLineEntry()
	s.signature.SetPlaceHolder("Signature above the footer, e.g. Dr. Jane Doe and the team")
	s.signature.SetMinRowsVisible(2)
	var names []string
	for _, p := range mailer.Presets {
		names = append(names, p.Name)
	}
	s.presetNote = widget.NewLabel("")
	s.presetNote.Wrapping = fyne.TextWrapWord
	s.preset = widget.NewSelect(names, s.onPreset)
	s.host, s.port, s.user, s.from = e("smtp.example.com"), e("587"), e("front@practice.example"), e("Sunny Practice <front@practice.example>")
	s.password = widget.NewPasswordEntry()
	s.password.SetPlaceHolder("kept in the computer's keychain, never in the database")
	s.tls = widget.NewSelect([]string{mailer.TLSStartTLS, mailer.TLSImplicit, mailer.TLSNone}, nil)
	s.perMinute, s.perDay = e("per minute"), e("per day")
	s.capCount, s.capDays = e("2"), e("30")
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord

	practice := widget.NewForm(widget.NewFormItem("Practice name", s.name), widget.NewFormItem("Address", s.address),
		widget.NewFormItem("Phone", s.phone), widget.NewFormItem("Email (replies, opt-outs)", s.email), widget.NewFormItem("Time zone", s.zone),
		widget.NewFormItem("Signature", s.signature))
	account := widget.NewForm(widget.NewFormItem("Provider", s.preset), widget.NewFormItem("", s.presetNote),
		widget.NewFormItem("Server", s.host), widget.NewFormItem("Port", s.port), widget.NewFormItem("Security", s.tls),
		widget.NewFormItem("User name", s.user), widget.NewFormItem("Password", s.password), widget.NewFormItem("Send as", s.from),
		widget.NewFormItem("Limit per minute", s.perMinute), widget.NewFormItem("Limit per day", s.perDay),
		widget.NewFormItem("Frequency cap: emails", s.capCount), widget.NewFormItem("...per days", s.capDays))
	save := widget.NewButton("Save", s.onSave)
	save.Importance = widget.HighImportance
	test := widget.NewButton("Test connection", s.onTest)

	s.backups = widget.NewList(func() int { return len(s.backupFiles) },
		func() fyne.CanvasObject { return widget.NewLabel("26 Nov 2026 09:30 - before import") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(data.BackupLabel(s.backupFiles[id], s.backupZone))
		})
	backupNow := widget.NewButton("Back up now", s.onBackup)
	s.chosenBackup, s.backupZone = -1, time.Local
	s.backups.OnSelected = func(id widget.ListItemID) { s.chosenBackup = id }
	restore := widget.NewButton("Restore the chosen backup…", s.onRestore)
	backupNote := widget.NewLabel("Kindly backs up before every import and delete, and once a day (the newest 14 daily backups are kept). Newest first:")
	backupNote.Wrapping = fyne.TextWrapWord
	s.audit = widget.NewLabel("")
	s.audit.Wrapping = fyne.TextWrapWord

	heading := func(t string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	left := container.NewVScroll(container.NewVBox(heading("Practice"), practice, heading("Mail account"), account,
		container.NewHBox(save, test), s.status))
	right := container.NewVSplit(
		container.NewBorder(container.NewVBox(heading("Backups"),
			backupNote,
			container.NewHBox(backupNow, restore)), nil, nil, nil, s.backups),
		container.NewBorder(heading("Audit log (imports, exports, sends, deletions)"), nil, nil, nil, container.NewVScroll(s.audit)))
	split := container.NewHSplit(left, right)
	split.SetOffset(0.6)
	s.box = split
	return s
}

func (s *settingsScreen) content() fyne.CanvasObject { return s.box }

func (s *settingsScreen) refresh() {
	go func() {
		pr := mailer.LoadPractice(s.ui.store)
		st, _ := mailer.LoadSettings(s.ui.store)
		zone, _ := s.ui.store.Setting(data.SettingTimeZone, "")
		limit := s.ui.store.FrequencyCap()
		files, _ := s.ui.store.Backups()
		loc, err := s.ui.store.Location()
		if err != nil {
			loc = time.Local
		}
		log, _ := s.ui.store.AuditLog(context.Background(), 200)
		var lines []string
		for _, e := range log {
			lines = append(lines, e.At.In(loc).Format("2006-01-02 15:04")+"  "+e.Action+": "+e.Detail)
		}
		s.ui.do(func() {
			s.audit.SetText(strings.Join(lines, "\n"))
			s.name.SetText(pr.Name)
			s.address.SetText(pr.Address)
			s.phone.SetText(pr.Phone)
			s.email.SetText(pr.Email)
			s.zone.SetText(zone)
			s.signature.SetText(pr.Signature)
			if p, err := mailer.PresetByID(st.Preset); err == nil {
				s.preset.SetSelected(p.Name)
			}
			if st.Host != "" {
				s.host.SetText(st.Host)
				s.port.SetText(strconv.Itoa(st.Port))
				s.tls.SetSelected(st.TLS)
				s.user.SetText(st.User)
				s.from.SetText(st.From)
				s.perMinute.SetText(strconv.Itoa(st.PerMinute))
				s.perDay.SetText(strconv.Itoa(st.PerDay))
			}
			s.capCount.SetText(strconv.Itoa(limit.Count))
			s.capDays.SetText(strconv.Itoa(limit.Days))
			s.backupFiles, s.backupZone = files, loc
			s.backups.Refresh()
		})
	}()
}

func (s *settingsScreen) onPreset(name string) {
	p, err := mailer.PresetByID(name)
	if err != nil {
		return
	}
	s.presetNote.SetText(p.Note)
	if p.Host != "" {
		s.host.SetText(p.Host)
	}
	s.port.SetText(strconv.Itoa(p.Port))
	s.tls.SetSelected(p.TLS)
	s.perMinute.SetText(strconv.Itoa(p.PerMinute))
	s.perDay.SetText(strconv.Itoa(p.PerDay))
}

func (s *settingsScreen) read() (mailer.Practice, mailer.Settings, data.Cap, error) {
	pr := mailer.Practice{Name: s.name.Text, Address: s.address.Text, Phone: s.phone.Text, Email: s.email.Text, Signature: s.signature.Text}
	num := func(e *widget.Entry, what string) (int, error) {
		n, err := strconv.Atoi(e.Text)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s must be a whole number", what)
		}
		return n, nil
	}
	st := mailer.Settings{Account: mailer.Account{Host: s.host.Text, TLS: s.tls.Selected, User: s.user.Text, From: s.from.Text}}
	if p, err := mailer.PresetByID(s.preset.Selected); err == nil {
		st.Preset = p.ID
	}
	var err error
	var c data.Cap
	for _, f := range []struct {
		dst  *int
		e    *widget.Entry
		what string
	}{{&st.Port, s.port, "The port"}, {&st.PerMinute, s.perMinute, "The limit per minute"}, {&st.PerDay, s.perDay, "The limit per day"},
		{&c.Count, s.capCount, "The frequency cap"}, {&c.Days, s.capDays, "The cap's days"}} {
		if *f.dst, err = num(f.e, f.what); err != nil {
			return pr, st, c, err
		}
	}
	if st.From == "" {
		st.From = st.User
	}
	return pr, st, c, nil
}

func (s *settingsScreen) onSave() {
	pr, st, c, err := s.read()
	if err != nil {
		s.status.SetText(err.Error())
		return
	}
	password, zone := s.password.Text, s.zone.Text
	s.status.SetText("Saving…")
	go func() {
		err := mailer.SavePractice(s.ui.store, pr)
		if err == nil && zone != "" {
			err = s.ui.store.SetLocation(zone)
		}
		if err == nil {
			err = mailer.SaveSettings(s.ui.store, st)
		}
		if err == nil {
			err = s.ui.store.SetSetting(data.SettingCapCount, strconv.Itoa(c.Count))
		}
		if err == nil {
			err = s.ui.store.SetSetting(data.SettingCapDays, strconv.Itoa(c.Days))
		}
		if err == nil && password != "" {
			err = mailer.StorePassword(st, password)
		}
		s.ui.do(func() {
			if err != nil {
				s.status.SetText("Not saved: " + errorText(err))
				return
			}
			s.password.SetText("")
			s.status.SetText("Saved.")
		})
	}()
}

func (s *settingsScreen) onTest() {
	s.status.SetText("Signing in to the mail server…")
	go func() {
		st, pr, err := mailer.Ready(s.ui.store)
		if err == nil {
			err = mailer.Test(context.Background(), st, pr)
		}
		s.ui.do(func() {
			if err != nil {
				s.status.SetText("The test failed: " + errorText(err))
				return
			}
			s.status.SetText(fmt.Sprintf("Signed in to %s. Sending works.", st.Host))
		})
	}()
}

func (s *settingsScreen) onBackup() {
	go func() {
		path, err := s.ui.store.Backup(context.Background(), "by hand")
		s.ui.do(func() {
			if err != nil {
				s.ui.showError(err)
				return
			}
			s.status.SetText("Backup written: " + filepath.Base(path))
			s.refresh()
		})
	}()
}

func (s *settingsScreen) onRestore() {
	if s.chosenBackup < 0 || s.chosenBackup >= len(s.backupFiles) {
		s.status.SetText("Choose a backup in the list first.")
		return
	}
	file := s.backupFiles[s.chosenBackup]
	dialog.ShowConfirm("Restore "+filepath.Base(file)+"?",
		"Everything since that backup is replaced by it (today's database is kept as a backup too).\nKindly restores it the next time it starts.",
		func(ok bool) {
			if !ok {
				return
			}
			go func() {
				err := s.ui.store.ScheduleRestore(file)
				s.ui.do(func() {
					if err != nil {
						s.ui.showError(err)
						return
					}
					s.status.SetText("Close and reopen Kindly to finish restoring " + filepath.Base(file) + ".")
				})
			}()
		}, s.ui.window)
}
