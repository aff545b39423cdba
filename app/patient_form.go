package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

var (
	sexOptions   = []string{"", "F", "M", "X"}
	careOptions  = []string{"allowed", "opted out"}
	promoOptions = []string{"not asked", "opted in", "opted out"}
)

// patientForm is the add/edit dialog of one patient.
type patientForm struct {
	ui      *UI
	patient data.Patient
	loaded  []string // the tags as the form loaded them
	onSaved func()
	onAdded func(data.Patient) // a new patient was added

	first, last, preferred, email, phone, born, postal, language, tags *escEntry
	notes                                                              *escEntry
	sex, care, promo                                                   *widget.Select
	dnc                                                                *widget.Check
	message                                                            *widget.Label
	visits                                                             *widget.Label
	recalls                                                            *fyne.Container
	careGiven                                                          *widget.Check
	visitDate, visitService                                            *escEntry
	dlg                                                                dialog.Dialog
	changed                                                            dialog.Dialog // the patient changed meanwhile
	dayFirst                                                           bool          // how the practice writes 03/04/1960
	today                                                              data.Date
}

// showPatientForm opens the form; p.ID == 0 adds a new patient.
func showPatientForm(u *UI, p data.Patient, tags []string, onSaved func()) *patientForm {
	f := &patientForm{ui: u, patient: p, loaded: tags, onSaved: onSaved}
	f.today, f.dayFirst = u.todayDate(), u.dates.dayFirst
	form := widget.NewForm(append(f.personItems(tags), f.consentItems()...)...)
	form.Append("Visits", f.visitsBox())
	form.Append("Recalls", f.recallsBox())
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Importance = widget.DangerImportance
	title := "New patient"
	buttons := container.NewHBox()
	if p.ID != 0 {
		title = p.DisplayName()
		archive := "Archive"
		if p.Archived {
			archive = "Restore"
		}
		buttons.Add(widget.NewButton(archive, f.onArchive))
		buttons.Add(widget.NewButton("Delete…", f.onDelete))
	}
	content := container.NewBorder(nil, container.NewVBox(f.message, buttons), nil, nil, container.NewVScroll(form))
	f.dlg = dialog.NewCustomConfirm(title, "Save", "Cancel", content, func(ok bool) {
		if ok {
			f.onSave()
		}
	}, u.window)
	f.dlg.Resize(dialogSize(u.window, 560, 640))
	f.dlg.Show()
	return f
}

// entry is a field of the form with its value and grey hint.
func (f *patientForm) entry(v, hint string) *escEntry {
	e := newEscEntry(f.ui)
	e.SetText(v)
	e.SetPlaceHolder(hint)
	return e
}

// dateExample is the grey hint of a date field, in the practice's order.
func (f *patientForm) dateExample() string {
	if f.dayFirst {
		return "e.g. 1958-03-14 or 14.03.1958"
	}
	return "e.g. 1958-03-14 or 3/14/1958"
}

// personItems are who the patient is: names, address, phone, birth date,
// tags and notes. Errors show under the field as it is typed.
func (f *patientForm) personItems(tags []string) []*widget.FormItem {
	p := f.patient
	f.first, f.last, f.preferred = f.entry(p.FirstName, ""), f.entry(p.LastName, ""), f.entry(p.PreferredName, "optional")
	f.email, f.phone = f.entry(p.Email, "name@example.com"), f.entry(p.Phone, "")
	f.born = f.entry(p.BirthDate.String(), f.dateExample())
	f.born.Validator = func(s string) error { _, err := data.ReadDate(s, f.dayFirst, f.today); return err }
	f.email.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		q := data.Patient{FirstName: "x", Email: s, CareConsent: data.CareAllowed, PromoConsent: data.PromoUnknown}
		return q.Normalize()
	}
	f.postal, f.language = f.entry(p.PostalCode, ""), f.entry(p.Language, "e.g. en")
	f.tags = f.entry(strings.Join(tags, ", "), "e.g. diabetes-program, newsletter")
	f.notes = newEscEntry(f.ui)
	f.notes.MultiLine, f.notes.Wrapping = true, fyne.TextWrapWord
	f.notes.SetText(p.Notes)
	f.notes.SetMinRowsVisible(2)
	f.sex = widget.NewSelect(sexOptions, nil)
	f.sex.SetSelected(p.Sex)
	emailItem := fyne.CanvasObject(f.email)
	if note := workflow.BounceNote(p, f.ui.dates.at(p.EmailBouncedAt)); note != "" {
		bounced := widget.NewLabel(note)
		bounced.Wrapping = fyne.TextWrapWord
		bounced.Importance = widget.DangerImportance
		emailItem = container.NewVBox(f.email, bounced)
	}
	return []*widget.FormItem{
		widget.NewFormItem("First name", f.first), widget.NewFormItem("Last name", f.last),
		widget.NewFormItem("Preferred name", f.preferred), widget.NewFormItem("Email", emailItem),
		widget.NewFormItem("Phone", f.phone), widget.NewFormItem("Date of birth", f.born),
		widget.NewFormItem("Sex", f.sex), widget.NewFormItem("Postal code", f.postal),
		widget.NewFormItem("Language", f.language), widget.NewFormItem("Tags", f.tags),
	}
}

// consentItems are what the patient agreed to: care reminders, promotions,
// no contact at all; then the notes.
func (f *patientForm) consentItems() []*widget.FormItem {
	p := f.patient
	f.care = widget.NewSelect(careOptions, nil)
	f.care.SetSelected(map[string]string{data.CareAllowed: "allowed", data.CareOptedOut: "opted out", "": "allowed"}[p.CareConsent])
	f.promo = widget.NewSelect(promoOptions, nil)
	f.promo.SetSelected(map[string]string{data.PromoUnknown: "not asked", data.PromoOptedIn: "opted in", data.PromoOptedOut: "opted out", "": "not asked"}[p.PromoConsent])
	f.careGiven = widget.NewCheck("Gave explicit consent to care reminders (recalls too)", nil)
	f.careGiven.SetChecked(!p.CareOptedInAt.IsZero())
	f.dnc = widget.NewCheck("Do not contact at all", nil)
	f.dnc.SetChecked(p.DoNotContact)
	return []*widget.FormItem{
		widget.NewFormItem("Care reminders", f.care), widget.NewFormItem("", f.careGiven), widget.NewFormItem("Promotions", f.promo),
		widget.NewFormItem("", f.dnc), widget.NewFormItem("Notes", f.notes),
	}
}

// visitsBox lists a saved patient's visits with a row to add one.
func (f *patientForm) visitsBox() fyne.CanvasObject {
	if f.patient.ID == 0 {
		return widget.NewLabel("Visits can be added once the patient is saved.")
	}
	f.visits = widget.NewLabel("Loading visits…")
	f.visits.Wrapping = fyne.TextWrapWord
	f.visitDate, f.visitService = f.entry("", f.dateExample()), f.entry("", "service, e.g. flu shot")
	addVisit := widget.NewButton("Add visit", f.onAddVisit)
	f.loadVisits()
	return container.NewVBox(f.visits, container.NewBorder(nil, nil, nil, addVisit, container.NewGridWithColumns(2, f.visitDate, f.visitService)))
}

// openPatient opens the form of a patient, as saved now, with their tags;
// onSaved runs after a change.
func (u *UI) openPatient(id int64, onSaved func()) {
	background(u, func(ctx context.Context) (workflow.PatientRecord, error) { return u.work.Patient(ctx, id) },
		func(r workflow.PatientRecord, err error) {
			if err != nil {
				u.showError(err)
				return
			}
			showPatientForm(u, r.Patient, r.Tags, onSaved)
		})
}

// dialogSize fits a dialog inside the window.
func dialogSize(w fyne.Window, width, height float32) fyne.Size {
	s := w.Canvas().Size()
	return fyne.NewSize(min(width, s.Width*0.9), min(height, s.Height*0.9))
}

func (f *patientForm) read() (data.Patient, []string, error) {
	p := f.patient
	p.FirstName, p.LastName, p.PreferredName = f.first.Text, f.last.Text, f.preferred.Text
	p.Email, p.Phone, p.PostalCode, p.Language, p.Notes = f.email.Text, f.phone.Text, f.postal.Text, f.language.Text, f.notes.Text
	p.Sex = f.sex.Selected
	p.BirthDate = data.Date{}
	if strings.TrimSpace(f.born.Text) != "" {
		d, err := data.ReadDate(f.born.Text, f.dayFirst, f.today)
		if err != nil {
			return p, nil, &data.ValidationError{Field: "birth_date", Message: "Date of birth: " + err.Error()}
		}
		p.BirthDate = d
	}
	// A changed consent is stamped by the save (workflow.SavePatient).
	p.CareConsent = map[string]string{"allowed": data.CareAllowed, "opted out": data.CareOptedOut}[f.care.Selected]
	p.PromoConsent = map[string]string{"not asked": data.PromoUnknown, "opted in": data.PromoOptedIn, "opted out": data.PromoOptedOut}[f.promo.Selected]
	p.DoNotContact = f.dnc.Checked
	switch {
	case !f.careGiven.Checked:
		p.CareOptedInAt = time.Time{}
	case p.CareOptedInAt.IsZero():
		p.CareOptedInAt = f.ui.work.Now().UTC().Truncate(time.Second)
	}
	var tags []string
	for _, t := range strings.Split(f.tags.Text, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return p, tags, p.Normalize()
}

func (f *patientForm) onSave() {
	p, tags, err := f.read()
	if err != nil {
		f.reopen(err)
		return
	}
	f.save(workflow.PatientRecord{Patient: f.patient, Tags: f.loaded}, p, tags)
}

// save saves p over the patient as loaded (the form's, or, to save over a
// change made meanwhile, theirs).
func (f *patientForm) save(loaded workflow.PatientRecord, p data.Patient, tags []string) {
	background(f.ui, func(ctx context.Context) (data.Patient, error) {
		if p.ID == 0 {
			return f.ui.work.SavePatient(ctx, p, tags)
		}
		return f.ui.work.SaveEditedPatient(ctx, loaded, p, tags)
	}, func(saved data.Patient, err error) {
		var changed *data.PatientChangedError
		if errors.As(err, &changed) {
			f.showChanged(changed.Now, p, tags)
			return
		}
		if err != nil {
			f.patient = saved
			f.reopen(err)
			return
		}
		verb := "saved"
		if f.patient.ID == 0 {
			verb = "added"
		}
		f.ui.notify(fmt.Sprintf("%s %s.", saved.DisplayName(), verb), nil)
		if f.onSaved != nil {
			f.onSaved()
		}
		if f.onAdded != nil && f.patient.ID == 0 {
			f.onAdded(saved)
		}
	})
}

// showChanged shows a patient changed meanwhile beside the form's
// version, and lets the practice choose: keep theirs (the form opens with
// them) or save this form's over them.
func (f *patientForm) showChanged(now data.Loaded, mine data.Patient, tags []string) {
	theirs := workflow.PatientRecord{Patient: now.Patient, Tags: now.Tags}
	grid := container.NewGridWithColumns(3, bold("What"), bold("Saved meanwhile"), bold("In this form"))
	for _, d := range workflow.Differences(theirs, mine, tags) {
		grid.Add(wrapped(d.Field))
		grid.Add(wrapped(d.Theirs))
		grid.Add(wrapped(d.Mine))
	}
	intro := wrapped(mine.DisplayName() + " was changed meanwhile (on another computer, by an import or by a reply in the inbox). " +
		"Keep the saved version, or save this form's changes over it (what this form did not change stays as saved)?")
	var dlg dialog.Dialog
	keep := widget.NewButton("Keep the saved version", func() {
		dlg.Hide()
		showPatientForm(f.ui, theirs.Patient, theirs.Tags, f.onSaved)
	})
	overwrite := widget.NewButton("Save this form's changes", func() {
		dlg.Hide()
		// What this form changed goes over the saved version; what it did
		// not change (another computer's phone number, a bounce) stays.
		loaded := workflow.PatientRecord{Patient: f.patient, Tags: f.loaded}
		p, tags := workflow.Merge(loaded, theirs, mine, tags)
		f.patient, f.loaded = theirs.Patient, theirs.Tags
		f.save(theirs, p, tags)
	})
	overwrite.Importance = widget.HighImportance
	body := container.NewBorder(intro, container.NewHBox(keep, overwrite), nil, nil, container.NewVScroll(grid))
	dlg = dialog.NewCustom("Changed meanwhile", "Cancel", body, f.ui.window)
	f.changed = dlg
	dlg.Resize(dialogSize(f.ui.window, 640, 420))
	dlg.Show()
}

// bold is a label in bold.
func bold(t string) *widget.Label {
	return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// reopen shows the form again with the problem next to its field (and
// below the form), keeping what was typed.
func (f *patientForm) reopen(err error) {
	var ve *data.ValidationError
	msg := errorText(err)
	if !errors.As(err, &ve) {
		msg = "Could not save: " + msg
	} else if e := f.fieldOf(ve.Field); e != nil {
		e.SetValidationError(errors.New(ve.Message))
	}
	f.message.SetText(msg)
	f.dlg.Show()
}

// fieldOf is the entry a validation error is about.
func (f *patientForm) fieldOf(field string) *escEntry {
	switch field {
	case "name":
		return f.first
	case "email":
		return f.email
	case "birth_date":
		return f.born
	}
	return nil
}

func (f *patientForm) onArchive() {
	p := f.patient
	f.dlg.Hide()
	background(f.ui, func(ctx context.Context) (none, error) { return none{}, f.ui.work.SetArchived(ctx, p.ID, !p.Archived) },
		func(_ none, err error) {
			f.afterChange(none{}, err)
			if err != nil {
				return
			}
			what := "archived: no more emails, kept in reports"
			if p.Archived {
				what = "restored"
			}
			// Undo puts it back as it was.
			f.ui.notify(fmt.Sprintf("%s %s.", p.DisplayName(), what), func() {
				background(f.ui, func(ctx context.Context) (none, error) { return none{}, f.ui.work.SetArchived(ctx, p.ID, p.Archived) },
					func(_ none, err error) {
						f.afterChange(none{}, err)
						if err == nil {
							f.ui.notify(p.DisplayName()+" is as before.", nil)
						}
					})
			})
		})
}

// afterChange reports a failed change, or refreshes whoever opened the form.
func (f *patientForm) afterChange(_ none, err error) {
	if err != nil {
		f.ui.showError(err)
		return
	}
	if f.onSaved != nil {
		f.onSaved()
	}
}

func (f *patientForm) onDelete() {
	p := f.patient
	dialog.ShowConfirm("Delete "+p.DisplayName()+"?",
		"The patient, their tags and visits are removed for good (a backup is made first).\nTo keep the history, archive instead.",
		func(ok bool) {
			if !ok {
				return
			}
			f.dlg.Hide()
			background(f.ui, func(ctx context.Context) (none, error) { return none{}, f.ui.work.DeletePatient(ctx, p.ID) },
				f.afterChange)
		}, f.ui.window)
}

func (f *patientForm) loadVisits() {
	id := f.patient.ID
	background(f.ui, func(ctx context.Context) ([]data.Visit, error) { return f.ui.work.Visits(ctx, id) },
		func(vs []data.Visit, err error) {
			if err != nil {
				f.visits.SetText("Cannot load visits: " + errorText(err))
				return
			}
			if len(vs) == 0 {
				f.visits.SetText("No visits on record.")
				return
			}
			var lines []string
			for i, v := range vs {
				if i == 8 {
					lines = append(lines, fmt.Sprintf("… and %d earlier", len(vs)-8))
					break
				}
				lines = append(lines, f.ui.dates.day(v.Date)+"  "+v.Service)
			}
			f.visits.SetText(strings.Join(lines, "\n"))
		})
}

func (f *patientForm) onAddVisit() {
	d, err := data.ReadDate(f.visitDate.Text, f.dayFirst, f.today)
	if err == nil && d.IsZero() {
		err = errors.New("enter the visit's date")
	}
	if err != nil {
		f.message.SetText("Visit date: " + errorText(err))
		return
	}
	v := data.Visit{PatientID: f.patient.ID, Date: d, Service: f.visitService.Text}
	background(f.ui, func(ctx context.Context) (none, error) { return none{}, f.ui.work.AddVisit(ctx, v) },
		func(_ none, err error) {
			if err != nil {
				f.message.SetText(errorText(err))
				return
			}
			f.visitDate.SetText("")
			f.visitService.SetText("")
			f.loadVisits()
		})
}
