package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/mailer"
	"kindly/workflow"
)

// settingsScreen holds the practice profile, the mail account with its
// limits and the frequency cap, and the backups.
type settingsScreen struct {
	ui *UI

	name, address, phone, email, words        *fitEntry
	signature                                 *fitEntry
	zone                                      *widget.SelectEntry
	preset                                    *widget.Select
	version                                   *widget.Label // this build, for support calls
	host, port, user, from, perMinute, perDay *fitEntry
	password                                  *widget.Entry
	tls                                       *widget.Select
	capCount, capDays                         *fitEntry
	presetNote, status                        *widget.Label
	backups                                   *widget.List
	backupList                                []workflow.BackupInfo
	chosenBackup                              int
	audit                                     *widget.Label
	oauth                                     data.MailAccount // as stored: its OAuth sign-in, if any
	signedIn                                  *widget.Label    // how the account signs in
	save                                      *widget.Button
	moveHandled                               *widget.Check   // move handled bounces and opt-outs to "Kindly"
	imapHost                                  *fitEntry       // the inbox's server (IMAP)
	checkUpdates                              *widget.Check   // once a day, ask whether a newer Kindly exists
	signIn                                    *widget.Button  // Microsoft's and Google's sign-in, for their providers
	actions                                   *fyne.Container // Save, Test connection, the sign-in
	account                                   *widget.Form    // the mail account's fields
	startAtSignIn                             *widget.Check   // this computer starts Kindly at sign-in
	country, careOptIn                        *widget.Select  // the reminders' country and consent rule
	catchUp                                   *fitEntry       // days a missed email may go late
	optOutAll                                 *widget.Check   // an opt-out speaks for a shared address
	server                                    *serverForm     // the practice server's dialog, once opened
	where                                     *widget.Label   // which database this computer works on
	box                                       fyne.CanvasObject
}

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{ui: u, chosenBackup: -1}
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.version = widget.NewLabelWithStyle(versionLine(u.app.Metadata()), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	s.save = widget.NewButton("Save", s.onSave)
	s.save.Importance = widget.HighImportance
	test := widget.NewButton("Test connection", s.onTest)
	s.signIn = widget.NewButton("Sign in with Microsoft or Google…", s.onSignIn)
	s.signIn.Hide() // for the providers that sign in so (onPreset)
	// Save stays in view below the form, however far it is scrolled.
	left := container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), s.actionRow(test), s.status), nil, nil,
		container.NewVScroll(container.NewVBox(heading("Practice"), s.practiceForm(), heading("Mail account"), s.accountForm(),
			heading("Reminders"), s.remindersForm(), heading("Practice server"), s.serverPane(),
			heading("Kindly"), s.kindlyForm(), s.version)))
	split := container.NewHSplit(left, container.NewVSplit(s.backupsPane(), s.auditPane()))
	split.SetOffset(0.6)
	s.box = split
	return s
}

// actionRow is Save, Test connection and (for Microsoft and Google) the
// sign-in, in view below the form.
func (s *settingsScreen) actionRow(test *widget.Button) *fyne.Container {
	s.actions = container.NewHBox(s.save, test, s.signIn)
	return s.actions
}

// hinted is an entry whose grey hint is an example, and says so: it never
// looks like saved data.
func hinted(hint string) *fitEntry {
	e := newFitEntry()
	e.SetPlaceHolder(hint)
	return e
}

// heading is a section's title in bold.
func heading(t string) fyne.CanvasObject {
	return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// practiceForm is the practice's profile: what every email's footer says.
func (s *settingsScreen) practiceForm() *widget.Form {
	s.name, s.address, s.phone, s.email = hinted("e.g. Sunny Family Practice"), hinted("e.g. 1 Main Street, Springfield"), hinted("e.g. 555-0100"), hinted("e.g. front@practice.example")
	s.zone = newZoneEntry()
	s.signature = newFitEntry()
	s.signature.MultiLine, s.signature.Wrapping = true, fyne.TextWrapWord
	s.signature.SetPlaceHolder("e.g. Dr. Jane Doe and the team (above the footer)")
	s.signature.SetMinRowsVisible(2)
	s.words = hinted("e.g. fertility, botox")
	return widget.NewForm(widget.NewFormItem("Practice name", s.name), widget.NewFormItem("Address", s.address),
		widget.NewFormItem("Phone", s.phone), widget.NewFormItem("Email (replies, opt-outs)", s.email), widget.NewFormItem("Time zone", s.zone),
		widget.NewFormItem("Signature", s.signature), widget.NewFormItem("Words never in a subject", s.words))
}

// kindlyForm is Kindly's own: the daily question whether a newer version
// exists (the practice's setting, saved with Save), and whether this
// computer starts Kindly at sign-in (the computer's, changed at once).
func (s *settingsScreen) kindlyForm() fyne.CanvasObject {
	s.checkUpdates = widget.NewCheck("Check once a day whether a newer Kindly exists (only the version is sent)", nil)
	s.startAtSignIn = widget.NewCheck("Start Kindly when I sign in to this computer", nil)
	if on, err := startsAtSignIn(); err == nil {
		s.startAtSignIn.SetChecked(on)
	}
	s.startAtSignIn.OnChanged = s.onStartAtSignIn
	return container.NewVBox(s.checkUpdates, s.startAtSignIn)
}

// onStartAtSignIn registers this Kindly to start at sign-in, or not.
func (s *settingsScreen) onStartAtSignIn(on bool) {
	exe, err := os.Executable()
	if err == nil {
		err = setStartAtSignIn(on, exe)
	}
	switch {
	case err != nil:
		s.status.SetText("Could not change the start at sign-in: " + errorText(err))
	case on:
		s.status.SetText("Kindly starts when you sign in to this computer, and shows what is due today.")
	default:
		s.status.SetText("Kindly no longer starts by itself.")
	}
}

// accountForm is the mail account: the server, the sign-in, the inbox,
// the mailbox's limits and the frequency cap.
func (s *settingsScreen) accountForm() *widget.Form {
	var names []string
	for _, p := range mailer.Presets {
		names = append(names, p.Name)
	}
	s.presetNote = widget.NewLabel("")
	s.presetNote.Wrapping = fyne.TextWrapWord
	s.preset = widget.NewSelect(names, s.onPreset)
	s.host, s.port, s.user, s.from = hinted("e.g. smtp.example.com"), hinted("e.g. 587"), hinted("e.g. front@practice.example"), hinted("e.g. Sunny Practice <front@practice.example>")
	s.password = widget.NewPasswordEntry()
	s.password.SetPlaceHolder("kept in the keychain, not the database")
	s.tls = newSecuritySelect()
	s.perMinute, s.perDay = hinted("e.g. 20 (0: no limit)"), hinted("e.g. 500 (0: no limit)")
	s.capCount, s.capDays = hinted("e.g. 2"), hinted("e.g. 30")
	s.imapHost = hinted("e.g. imap.example.com")
	s.moveHandled = widget.NewCheck("Move handled bounces to the folder \"Kindly\"", nil)
	s.signedIn = widget.NewLabel("")
	s.signedIn.Wrapping = fyne.TextWrapWord
	s.account = widget.NewForm(widget.NewFormItem("Provider", container.NewVBox(s.preset, s.presetNote)),
		widget.NewFormItem("Server", s.host), widget.NewFormItem("Port", s.port), widget.NewFormItem("Security", s.tls),
		widget.NewFormItem("User name", s.user), widget.NewFormItem("Password", s.password), widget.NewFormItem("", s.signedIn),
		widget.NewFormItem("Send as", s.from),
		widget.NewFormItem("Inbox server", s.imapHost), widget.NewFormItem("", s.moveHandled),
		widget.NewFormItem("Limit per minute", s.perMinute), widget.NewFormItem("Limit per day", s.perDay),
		widget.NewFormItem("Frequency cap: emails", s.capCount), widget.NewFormItem("...per days", s.capDays))
	return s.account
}

// backupsPane lists the backups, newest first, with Back up now and Restore.
func (s *settingsScreen) backupsPane() fyne.CanvasObject {
	s.backups = widget.NewList(func() int { return len(s.backupList) },
		func() fyne.CanvasObject { return widget.NewLabel("26 Nov 2026 09:30 - before import") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(s.backupList[id].Label)
		})
	s.backups.OnSelected = func(id widget.ListItemID) { s.chosenBackup = id }
	text := "Kindly backs up before every import and delete, and once a day (the newest 14 daily backups are kept). Newest first:"
	if s.ui.work.OnServer() {
		text = "The practice server's own backups keep the shared database (its administrator schedules them). Here: complete copies " +
			"on this computer, taken before imports and deletes and by Back up now. Newest first:"
	}
	note := widget.NewLabel(text)
	note.Wrapping = fyne.TextWrapWord
	buttons := container.NewHBox(widget.NewButton("Back up now", s.onBackup), widget.NewButton("Restore…", s.onRestore))
	return container.NewBorder(container.NewVBox(heading("Backups"), note, buttons), nil, nil, nil, s.backups)
}

// auditPane shows the audit log.
func (s *settingsScreen) auditPane() fyne.CanvasObject {
	s.audit = widget.NewLabel("")
	s.audit.Wrapping = fyne.TextWrapWord
	return container.NewBorder(heading("Audit log"), nil, nil, nil, container.NewVScroll(s.audit))
}

func (s *settingsScreen) content() fyne.CanvasObject { return s.box }

func (s *settingsScreen) refresh() {
	background(s.ui, s.ui.work.SettingsView, func(sh workflow.SettingsView, err error) {
		if err != nil {
			s.status.SetText("Cannot read the settings: " + errorText(err))
			return
		}
		s.showPractice(sh.Settings)
		s.showAccount(sh.Settings)
		s.showReminders(sh.Settings)
		s.backupList = sh.Backups
		s.backups.Refresh()
		var lines []string
		for _, e := range sh.Audit {
			lines = append(lines, s.ui.dates.at(e.At)+"  "+e.Action+": "+e.Detail)
		}
		s.audit.SetText(strings.Join(lines, "\n"))
	})
}

// showPractice fills the practice's profile as saved.
func (s *settingsScreen) showPractice(st data.Settings) {
	s.name.SetText(st.Practice.Name)
	s.address.SetText(st.Practice.Address)
	s.phone.SetText(st.Practice.Phone)
	s.email.SetText(st.Practice.Email)
	s.zone.SetText(st.TimeZone)
	s.signature.SetText(st.Practice.Signature)
	s.words.SetText(strings.Join(st.SubjectWords, ", "))
	s.checkUpdates.SetChecked(st.CheckUpdates)
}

// showAccount fills the mail account, its limits and the frequency cap as
// saved; the fields of an account not set up keep their hints.
func (s *settingsScreen) showAccount(st data.Settings) {
	m := st.Mail
	s.oauth = m
	s.signedIn.SetText(signInText(m))
	if p, err := mailer.PresetByID(m.Preset); err == nil {
		s.preset.SetSelected(p.Name)
	}
	if m.Configured() {
		s.host.SetText(m.Host)
		s.port.SetText(strconv.Itoa(m.Port))
		setSecurity(s.tls, m.TLS)
		s.user.SetText(m.User)
		s.from.SetText(m.From)
		s.perMinute.SetText(strconv.Itoa(m.PerMinute))
		s.perDay.SetText(strconv.Itoa(m.PerDay))
	}
	s.moveHandled.SetChecked(m.InboxMoveTo != "")
	s.imapHost.SetText(m.IMAPHost)
	s.capCount.SetText(strconv.Itoa(st.Cap.Count))
	s.capDays.SetText(strconv.Itoa(st.Cap.Days))
}

// signInText says how the account signs in.
func signInText(m data.MailAccount) string {
	o, ok := mailer.OAuthOf(m)
	if !ok {
		return "Signs in with the password kept in the computer's keychain."
	}
	return "Signs in with " + o.ProviderName() + " (no password needed). Typing a password here and saving goes back to the password."
}

// onSignIn asks for the practice's app registration and signs the account
// in with Microsoft (a code to enter on Microsoft's page) or Google (the
// browser opens Google's page).
func (s *settingsScreen) onSignIn() {
	provider := widget.NewRadioGroup([]string{"Microsoft 365 / Outlook.com", "Google (Gmail, Workspace)"}, nil)
	provider.SetSelected("Microsoft 365 / Outlook.com")
	if p, _ := mailer.PresetByID(s.preset.Selected); p.OAuth == data.OAuthGoogle {
		provider.SetSelected("Google (Gmail, Workspace)")
	}
	clientID, secret, tenant := widget.NewEntry(), widget.NewPasswordEntry(), widget.NewEntry()
	clientID.SetText(s.oauth.OAuthClientID)
	tenant.SetPlaceHolder("organizations (example)")
	secret.SetPlaceHolder("Google only: the desktop client's secret")
	note := widget.NewLabel("The client id comes from the practice's app registration (Microsoft Entra, or a Google Cloud \"desktop app\" client). " +
		"Save the mail account first.")
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem("Provider", provider), widget.NewFormItem("Client id", clientID),
		widget.NewFormItem("Client secret", secret), widget.NewFormItem("Tenant", tenant))
	d := dialog.NewCustomConfirm("Sign in to the mailbox", "Sign in", "Cancel", container.NewVBox(note, form), func(ok bool) {
		if !ok {
			return
		}
		o := mailer.OAuth{Provider: data.OAuthMicrosoft, Tenant: strings.TrimSpace(tenant.Text), ClientID: strings.TrimSpace(clientID.Text)}
		if strings.HasPrefix(provider.Selected, "Google") {
			o = mailer.OAuth{Provider: data.OAuthGoogle, ClientID: o.ClientID, ClientSecret: strings.TrimSpace(secret.Text)}
		}
		s.signInWith(o)
	}, s.ui.window)
	d.Resize(fyne.NewSize(560, 360))
	d.Show()
}

func (s *settingsScreen) signInWith(o mailer.OAuth) {
	s.status.SetText("Signing in to " + o.ProviderName() + "…")
	var codeDialog dialog.Dialog
	steps := mailer.SignInSteps{
		ShowCode: func(addr, code string) {
			s.ui.do(func() {
				text := "Open " + addr + " in a browser and enter the code\n\n" + code + "\n\nKindly waits until you signed in."
				if code == "" {
					text = "Open this address in a browser on this computer:\n\n" + addr
				}
				label := widget.NewLabel(text)
				label.Wrapping = fyne.TextWrapBreak
				label.Selectable = true
				codeDialog = dialog.NewCustom("Sign in to "+o.ProviderName(), "Hide", label, s.ui.window)
				codeDialog.Resize(fyne.NewSize(560, 260))
				codeDialog.Show()
			})
		},
		OpenBrowser: func(addr string) error {
			u, err := url.Parse(addr)
			if err != nil {
				return err
			}
			s.ui.do(func() {
				if err := s.ui.app.OpenURL(u); err != nil {
					s.status.SetText("Open this address in a browser to sign in: " + addr)
				}
			})
			return nil
		},
	}
	background(s.ui, func(ctx context.Context) (data.MailAccount, error) { return s.ui.work.SignIn(ctx, o, steps) },
		func(m data.MailAccount, err error) {
			if codeDialog != nil {
				codeDialog.Hide()
			}
			if err != nil {
				s.status.SetText("Not signed in: " + errorText(err))
				return
			}
			s.status.SetText(fmt.Sprintf("Signed in to %s as %s. Kindly sends and reads the inbox with this sign-in.", o.ProviderName(), m.User))
			s.refresh()
		})
}

func (s *settingsScreen) onPreset(name string) {
	p, err := mailer.PresetByID(name)
	if err != nil {
		return
	}
	s.presetNote.SetText(p.Note)
	if s.account != nil {
		s.account.Refresh() // the note's lines changed: the rows below it move
	}
	if p.OAuth != "" {
		s.signIn.Show()
	} else {
		s.signIn.Hide()
	}
	s.actions.Refresh() // the row lays out again with or without the sign-in
	var m data.MailAccount
	workflow.ApplyPreset(&m, p)
	if m.Host != "" {
		s.host.SetText(m.Host)
	}
	s.port.SetText(strconv.Itoa(m.Port))
	setSecurity(s.tls, m.TLS)
	s.perMinute.SetText(strconv.Itoa(m.PerMinute))
	s.perDay.SetText(strconv.Itoa(m.PerDay))
	s.imapHost.SetText(m.IMAPHost) // "" for a server the practice names
}

// read is the settings as typed; numbers that are not numbers are refused
// here, everything else by the workflow when it saves.
func (s *settingsScreen) read() (data.Settings, error) {
	st := data.Settings{
		Practice:     data.Practice{Name: s.name.Text, Address: s.address.Text, Phone: s.phone.Text, Email: s.email.Text, Signature: s.signature.Text},
		TimeZone:     s.zone.Text,
		Mail:         data.MailAccount{Host: s.host.Text, TLS: security(s.tls), User: s.user.Text, From: s.from.Text},
		SubjectWords: strings.Split(s.words.Text, ","),
		CheckUpdates: s.checkUpdates.Checked,
	}
	if p, err := mailer.PresetByID(s.preset.Selected); err == nil {
		st.Mail.Preset = p.ID
	}
	if err := s.readReminders(&st); err != nil {
		return st, err
	}
	workflow.KeepSignIn(&st.Mail, s.oauth)
	workflow.SetInbox(&st.Mail, s.imapHost.Text, s.oauth)
	if s.moveHandled.Checked {
		st.Mail.InboxMoveTo = s.oauth.InboxMoveTo
		if st.Mail.InboxMoveTo == "" {
			st.Mail.InboxMoveTo = "Kindly"
		}
	}
	for _, f := range []struct {
		dst  *int
		e    *fitEntry
		what string
	}{{&st.Mail.Port, s.port, "The port"}, {&st.Mail.PerMinute, s.perMinute, "The limit per minute"}, {&st.Mail.PerDay, s.perDay, "The limit per day"},
		{&st.Cap.Count, s.capCount, "The frequency cap"}, {&st.Cap.Days, s.capDays, "The cap's days"}} {
		text := strings.TrimSpace(f.e.Text)
		if text == "" {
			continue // 0: the workflow says what is missing
		}
		n, err := strconv.Atoi(text)
		if err != nil || n < 0 {
			return st, fmt.Errorf("%s must be a whole number", f.what)
		}
		*f.dst = n
	}
	return st, nil
}

func (s *settingsScreen) onSave() {
	st, err := s.read()
	if err != nil {
		s.status.SetText("Not saved: " + errorText(err))
		return
	}
	password := s.password.Text
	s.status.SetText("Saving…")
	background(s.ui, func(ctx context.Context) (none, error) {
		return none{}, s.ui.work.SaveSettings(ctx, st, password)
	}, func(_ none, err error) {
		var pw *workflow.PasswordNotSavedError
		switch {
		case errors.As(err, &pw) && pw.Session:
			s.password.SetText("")
			s.status.SetText("Saved. " + errorText(pw.Cause) + ". Until then Kindly keeps the password in memory while it runs " +
				"(never on disk): Test connection and sending work now; type it again after Kindly restarts.")
			s.refresh()
		case errors.As(err, &pw):
			s.status.SetText("Saved, except the password: " + errorText(pw.Cause))
			s.refresh()
		case err != nil:
			s.status.SetText("Not saved: " + errorText(err) + " Nothing was changed.")
		default:
			s.password.SetText("")
			s.status.SetText("Saved.")
			s.ui.loadDateStyle() // the time zone may say another date order
			s.refresh()
		}
	})
}

func (s *settingsScreen) onTest() {
	s.status.SetText("Signing in to the mail server…")
	background(s.ui, s.ui.work.TestAccount, func(m data.MailAccount, err error) {
		if err != nil {
			s.status.SetText("The test failed: " + errorText(err))
			return
		}
		s.status.SetText(fmt.Sprintf("Signed in to %s. Sending works.", m.Host))
	})
}

func (s *settingsScreen) onBackup() {
	background(s.ui, func(ctx context.Context) (string, error) { return s.ui.work.Backup(ctx) },
		func(path string, err error) {
			if err != nil {
				s.ui.showError(err)
				return
			}
			s.status.SetText("Backup written: " + filepath.Base(path))
			s.refresh()
		})
}

func (s *settingsScreen) onRestore() {
	if s.chosenBackup < 0 || s.chosenBackup >= len(s.backupList) {
		s.status.SetText("Choose a backup in the list first.")
		return
	}
	file, label := s.backupList[s.chosenBackup].Path, s.backupList[s.chosenBackup].Label
	s.status.SetText("Checking the backup…")
	// The backup is checked before the practice decides: a damaged file or
	// one that is not Kindly's is refused here, with the reason.
	background(s.ui, func(ctx context.Context) (data.BackupInfo, error) { return s.ui.work.CheckBackup(ctx, file) },
		func(info data.BackupInfo, err error) {
			if err != nil {
				s.status.SetText("")
				s.ui.showError(err)
				return
			}
			s.status.SetText("")
			dialog.ShowConfirm(fmt.Sprintf("Restore the backup of %s?", label),
				fmt.Sprintf("It holds %d patients. Everything else since then is replaced by it; what was sent since then and\n"+
					"every opt-out are kept, and campaigns are paused until you look at them. Today's database is kept\n"+
					"as a backup too. Kindly restores it the next time it starts.", info.Patients),
				func(ok bool) {
					if ok {
						s.scheduleRestore(file, label)
					}
				}, s.ui.window)
		})
}

// scheduleRestore has the chosen backup restored at the next start.
func (s *settingsScreen) scheduleRestore(file, label string) {
	background(s.ui, func(ctx context.Context) (data.BackupInfo, error) { return s.ui.work.ScheduleRestore(ctx, file) },
		func(_ data.BackupInfo, err error) {
			if err != nil {
				s.ui.showError(err)
				return
			}
			s.status.SetText("Close and reopen Kindly to finish restoring the backup of " + label + ".")
		})
}
