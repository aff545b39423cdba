package workflow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/internal/storetest"
	"kindly/mailer"
)

// clinic is a practice in New York with the clock in the test's hands,
// its details filled in, a segment "Everyone" and a template "Recall".
func clinic(t *testing.T) (*Workflow, *time.Time) {
	t.Helper()
	now := storetest.Now
	w := New(storetest.OpenWithClock(t, func() time.Time { return now }))
	ctx := context.Background()
	w.mustSettings(t, func(st *data.Settings) {
		st.Practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example"}
	})
	if _, err := w.SaveSegment(ctx, "Everyone", data.Rule{Kind: data.KindAll}); err != nil {
		t.Fatal(err)
	}
	for _, tpl := range []mailer.Template{
		{Name: "Recall", Subject: "Time for your check-up", Body: "Dear {{first_name}}, you are due for your check-up."},
		{Name: "Second reminder", Subject: "A second reminder", Body: "Dear {{first_name}}, we have not seen you yet."},
		{Name: "Appointment", Subject: "See you {{appointment_date}}", Body: "{{first_name}}: {{appointment_service}} at {{appointment_time}}."},
	} {
		if _, err := w.SaveTemplate(ctx, tpl); err != nil {
			t.Fatal(err)
		}
	}
	return w, &now
}

// at moves the clock to a day at a New York wall-clock time.
func at(now *time.Time, day string, hour int) {
	d, _ := data.ParseDate(day)
	ny, _ := time.LoadLocation(storetest.Zone)
	*now = time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, ny)
}

func (w *Workflow) patient(t *testing.T, first, email, born string) int64 {
	t.Helper()
	p := data.Patient{FirstName: first, LastName: "Family", Email: email}
	if born != "" {
		p.BirthDate, _ = data.ParseDate(born)
	}
	if err := w.store.CreatePatient(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// queueAndSend queues today's run of a campaign and marks every queued
// email sent, as a run that went through; it returns the subjects sent.
func (w *Workflow) queueAndSend(t *testing.T, name string) []string {
	t.Helper()
	ctx := context.Background()
	q, err := w.Queue(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := w.Campaign(ctx, name)
	msgs, err := w.store.NextQueuedBatch(ctx, cp.ID, q.Occurrence, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, m := range msgs {
		if ok, _, err := w.store.ClaimForSending(ctx, m.ID, cp.Purpose); err != nil || !ok {
			t.Fatalf("claim %d: %v %v", m.ID, ok, err)
		}
		if err := w.store.MarkResult(ctx, m.ID, data.StatusSent, ""); err != nil {
			t.Fatal(err)
		}
		subjects = append(subjects, m.Subject+" | "+m.Text[:strings.Index(m.Text, "\n")])
	}
	return subjects
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A recall's whole life: due -> reminder 1 -> reminder 2 (its own
// template) -> booked (no reminder) -> the booking cancelled (reminder 3,
// the last) -> a visit starts the next recall.
func TestRecallLife(t *testing.T) {
	w, now := clinic(t)
	ctx := context.Background()
	anna := w.patient(t, "Anna", "anna@example.com", "1980-05-05")
	if err := w.AddVisit(ctx, data.Visit{PatientID: anna, Date: mustDate("2025-12-01"), Service: "Check-up"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Check-up recall", Segment: "Everyone", Template: "Recall",
		Schedule: ScheduleText{Kind: data.ScheduleRecall, Service: "check-up", Months: "12", Followups: "2", Every: "14",
			FollowupTemplates: "Second reminder", BypassCap: true}}, true); err != nil {
		t.Fatal(err)
	}
	state := func() RecallLine {
		t.Helper()
		lines, err := w.PatientRecalls(ctx, anna)
		if err != nil || len(lines) != 1 {
			t.Fatalf("recalls: %v %v", lines, err)
		}
		return lines[0]
	}
	at(now, "2026-11-30", 10)
	if got := w.queueAndSend(t, "Check-up recall"); len(got) != 0 {
		t.Fatalf("before the due day: %q", got)
	}
	if s := state(); !strings.Contains(s.Next, "first reminder on") {
		t.Errorf("before: %+v", s)
	}
	at(now, "2026-12-01", 10)
	if got := w.queueAndSend(t, "Check-up recall"); len(got) != 1 || !strings.HasPrefix(got[0], "Time for your check-up") {
		t.Fatalf("due day: %q", got)
	}
	at(now, "2026-12-02", 10)
	if got := w.queueAndSend(t, "Check-up recall"); len(got) != 0 {
		t.Fatalf("the day after: %q", got)
	}
	if s := state(); s.State != "reminding" || !strings.Contains(s.Next, "reminder 2 on") {
		t.Errorf("after reminder 1: %+v", s)
	}
	at(now, "2026-12-15", 10)
	if got := w.queueAndSend(t, "Check-up recall"); len(got) != 1 || !strings.HasPrefix(got[0], "A second reminder | Dear Anna, we have not seen you yet.") {
		t.Fatalf("reminder 2: %q", got)
	}
	// She books: no reminder while the appointment is ahead.
	csv := "PatNum,Email,AptNum,AptDateTime,ProcDescript,AptStatus\n,anna@example.com,A-77,2027-01-10 09:30,Check-up,Scheduled\n"
	if _, err := w.Import(ctx, ImportRequest{Kind: ImportAppointments, File: writeFile(t, "appts.csv", csv)}, nil); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-12-29", 10)
	if got := w.queueAndSend(t, "Check-up recall"); len(got) != 0 {
		t.Fatalf("booked: %q", got)
	}
	if s := state(); s.State != "booked" || !strings.Contains(s.Next, "appointment is booked") {
		t.Errorf("booked: %+v", s)
	}
	// The practice system says it was cancelled: the last reminder goes.
	csv = strings.Replace(csv, "Scheduled", "Broken", 1)
	if _, err := w.Import(ctx, ImportRequest{Kind: ImportAppointments, File: writeFile(t, "appts2.csv", csv)}, nil); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-12-30", 10)
	if got := w.queueAndSend(t, "Check-up recall"); len(got) != 1 || !strings.HasPrefix(got[0], "Time for your check-up") {
		t.Fatalf("reminder 3 (the campaign's own template): %q", got)
	}
	at(now, "2027-01-20", 10)
	if got := w.queueAndSend(t, "Check-up recall"); len(got) != 0 {
		t.Fatalf("after the last reminder: %q", got)
	}
	if s := state(); s.State != "stopped" || !strings.Contains(s.Next, "all 3 reminders sent") || strings.Count(s.Sent, "sent") != 3 {
		t.Errorf("all sent: %+v", s)
	}
	// She comes in: the next recall counts from that visit.
	if err := w.AddVisit(ctx, data.Visit{PatientID: anna, Date: mustDate("2027-01-21"), Service: "Check-up"}); err != nil {
		t.Fatal(err)
	}
	if s := state(); !strings.Contains(s.Due, "2028") || s.Sent != "" {
		t.Errorf("after the visit: %+v", s)
	}
	// Paused for good, with the reason: nothing goes, nothing is deleted.
	if err := w.SetRecall(ctx, "Check-up recall", anna, data.RecallHold{OffUntil: data.Forever, Reason: "moved abroad"}); err != nil {
		t.Fatal(err)
	}
	at(now, "2028-01-21", 10)
	if got := w.queueAndSend(t, "Check-up recall"); len(got) != 0 {
		t.Fatalf("paused: %q", got)
	}
	if s := state(); s.State != "paused" || !strings.Contains(s.Next, "moved abroad") {
		t.Errorf("paused: %+v", s)
	}
	// A due date set by hand.
	if err := w.SetRecall(ctx, "Check-up recall", anna, data.RecallHold{Due: mustDate("2028-02-01")}); err != nil {
		t.Fatal(err)
	}
	at(now, "2028-02-01", 10)
	if got := w.queueAndSend(t, "Check-up recall"); len(got) != 1 {
		t.Fatalf("due by hand: %q", got)
	}
}

// Four patients who share one address get one email naming each of them;
// each still counts as emailed once.
func TestFamilyEmail(t *testing.T) {
	w, now := clinic(t)
	ctx := context.Background()
	for _, n := range []string{"Anna", "Ben", "Clara", "Dan"} {
		w.patient(t, n, "family@example.com", "")
	}
	w.patient(t, "Eve", "eve@example.com", "")
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Segment: "Everyone", Template: "Recall",
		Schedule: ScheduleText{Family: true}}, true); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-12-01", 10)
	rv, err := w.Review(ctx, "Flu")
	if err != nil {
		t.Fatal(err)
	}
	if rv.ToSend != 5 || rv.Emails != 2 {
		t.Errorf("review: %d to send in %d emails", rv.ToSend, rv.Emails)
	}
	rows, err := w.Recipients(ctx, "Flu")
	together := 0
	for _, r := range rows {
		if r.Gets && r.Reason == "in one email with Anna" {
			together++
		}
	}
	if err != nil || len(rows) != 5 || together != 3 {
		t.Errorf("recipients: %+v %v", rows, err)
	}
	q, err := w.Queue(ctx, "Flu")
	if err != nil || q.Queued != 5 || q.Emails != 2 {
		t.Fatalf("queued %+v %v", q, err)
	}
	// Ben opts out before the queue goes out: the family's email is
	// written again without him, and the others still get it.
	ben, _, _ := w.FindPatient(ctx, "Ben", false)
	ben.CareConsent = data.CareOptedOut
	if _, err := w.SavePatient(ctx, ben, nil); err != nil {
		t.Fatal(err)
	}
	got := w.queueAndSend(t, "Flu")
	if len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "Dear Anna, Clara and Dan, you are due") {
		t.Fatalf("sent %q", got)
	}
	cp, _ := w.Campaign(ctx, "Flu")
	counts, _ := w.store.OutboxCounts(ctx, cp.ID, "")
	if counts[data.StatusSent] != 4 || counts[data.StatusSkipped] != 1 {
		t.Errorf("every member is emailed once, Ben not at all: %v", counts)
	}
}

// An appointment reminder goes N days before; an appointment moved after
// the reminder was queued is not reminded of the old time, and importing
// the list again updates it instead of adding one.
func TestAppointmentMovedAfterQueueing(t *testing.T) {
	w, now := clinic(t)
	ctx := context.Background()
	w.patient(t, "Anna", "anna@example.com", "")
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Appointments", Segment: "Everyone", Template: "Appointment",
		Schedule: ScheduleText{BeforeAppointment: "2", Kind: data.ScheduleAppointment}}, true); err != nil {
		t.Fatal(err)
	}
	csv := "Email,Appointment ID,Date,Time,Service,Status\nanna@example.com,9,12/3/2026,9:30 AM,Cleaning,booked\n"
	res, err := w.Import(ctx, ImportRequest{Kind: ImportAppointments, File: writeFile(t, "a.csv", csv)}, nil)
	if err != nil || res.Summary.Add != 1 {
		t.Fatalf("import: %+v %v", res.Summary, err)
	}
	at(now, "2026-12-01", 10)
	q, err := w.Queue(ctx, "Appointments")
	if err != nil || q.Queued != 1 {
		t.Fatalf("queue: %+v %v", q, err)
	}
	cp, _ := w.Campaign(ctx, "Appointments")
	msgs, _ := w.store.NextQueuedBatch(ctx, cp.ID, q.Occurrence, 10)
	if len(msgs) != 1 || msgs[0].Subject != "See you Thursday 3 December 2026" || !strings.Contains(msgs[0].Text, "Cleaning at 09:30") {
		t.Fatalf("message %+v", msgs)
	}
	moved := strings.Replace(csv, "9:30 AM", "2:15 PM", 1)
	res, err = w.Import(ctx, ImportRequest{Kind: ImportAppointments, File: writeFile(t, "b.csv", moved)}, nil)
	if err != nil || res.Summary.Update != 1 || res.Summary.Add != 0 {
		t.Fatalf("re-import: %+v %v", res.Summary, err)
	}
	if ok, _, err := w.store.ClaimForSending(ctx, msgs[0].ID, cp.Purpose); ok || err != nil {
		t.Fatalf("a moved appointment's reminder was claimed (%v)", err)
	}
	if ok, why, _ := w.store.MaySend(ctx, msgs[0].ID, msgs[0].PatientID, cp.Purpose); ok || !strings.Contains(why, "cancelled or moved") {
		t.Errorf("why: %v %q", ok, why)
	}
	// The next day's run reminds of the new time (a day ahead: caught up),
	// once.
	w.store.MarkResult(ctx, msgs[0].ID, data.StatusSkipped, "moved")
	at(now, "2026-12-02", 10)
	if got := w.queueAndSend(t, "Appointments"); len(got) != 1 || !strings.Contains(got[0], "Cleaning at 14:15") {
		t.Errorf("2 Dec: %q", got)
	}
	at(now, "2026-12-02", 15)
	if got := w.queueAndSend(t, "Appointments"); len(got) != 0 {
		t.Errorf("2 Dec again: %q", got)
	}
	// An appointment booked today for tomorrow is reminded today; one for
	// today is not (no reminder on the day itself).
	w.patient(t, "Ben", "ben@example.com", "")
	w.patient(t, "Cy", "cy@example.com", "")
	csv = "Email,Appointment ID,Date,Time,Service,Status\nben@example.com,10,12/3/2026,4:00 PM,Exam,booked\ncy@example.com,11,12/2/2026,5:00 PM,Exam,booked\n"
	if _, err := w.Import(ctx, ImportRequest{Kind: ImportAppointments, File: writeFile(t, "c.csv", csv)}, nil); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-12-02", 16)
	if got := w.queueAndSend(t, "Appointments"); len(got) != 1 || !strings.Contains(got[0], "Ben: Exam at 16:00") {
		t.Errorf("booked today for tomorrow: %q", got)
	}
}

// Kindly was not opened on Saturday and Sunday: Monday's run sends the
// Saturday birthday, once; a birthday at midnight in the practice's zone
// is neither a day early nor a day late.
func TestBirthdayCaughtUpOnce(t *testing.T) {
	w, now := clinic(t)
	ctx := context.Background()
	w.patient(t, "Sam", "sam@example.com", "1990-12-05") // Saturday 5 December 2026
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Birthdays", Segment: "Everyone", Template: "Recall",
		Schedule: ScheduleText{DaysBefore: "0", Kind: data.ScheduleBirthday}}, true); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-12-04", 23) // Friday 23:00 in New York: 04:00 on Saturday in UTC
	if got := w.queueAndSend(t, "Birthdays"); len(got) != 0 {
		t.Fatalf("a day early: %q", got)
	}
	at(now, "2026-12-07", 9) // Monday
	ov, err := w.Today(ctx)
	if err != nil || len(ov.Due) != 1 {
		t.Fatalf("Today: %+v %v", ov.Due, err)
	}
	dates, _ := w.Dates(ctx)
	if line := ov.DueLine(ov.Due[0], dates); !strings.HasSuffix(line, "1 patient, 1 birthday from Saturday") {
		t.Errorf("Today says %q", line)
	}
	if got := w.queueAndSend(t, "Birthdays"); len(got) != 1 {
		t.Fatalf("Monday: %q", got)
	}
	at(now, "2026-12-07", 15)
	if got := w.queueAndSend(t, "Birthdays"); len(got) != 0 {
		t.Fatalf("Monday again: %q", got)
	}
	at(now, "2026-12-08", 9)
	if got := w.queueAndSend(t, "Birthdays"); len(got) != 0 {
		t.Fatalf("Tuesday: %q", got)
	}
	// A birthday on a closed day goes on the next open day, and only then.
	w.patient(t, "Kim", "kim@example.com", "1985-12-24")
	for _, day := range []string{"2026-12-24", "2026-12-25"} {
		if err := w.CloseDay(ctx, mustDate(day), "Christmas"); err != nil {
			t.Fatal(err)
		}
	}
	at(now, "2026-12-24", 10)
	if _, err := w.Queue(ctx, "Birthdays"); !errors.Is(err, ErrNothingDue) {
		t.Fatalf("a closed day: %v", err)
	}
	at(now, "2026-12-26", 10)
	if got := w.queueAndSend(t, "Birthdays"); len(got) != 1 {
		t.Fatalf("the next open day: %q", got)
	}
}

// The practice's midnight, not the computer's or UTC's, starts a birthday
// (across the DST change too).
func TestBirthdayAtMidnight(t *testing.T) {
	w, now := clinic(t)
	ctx := context.Background()
	w.patient(t, "Mia", "mia@example.com", "2000-03-08") // 8 March 2026: DST starts in New York at 2:00
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Birthdays", Segment: "Everyone", Template: "Recall",
		Schedule: ScheduleText{DaysBefore: "0", Kind: data.ScheduleBirthday}}, true); err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation(storetest.Zone)
	*now = time.Date(2026, 3, 7, 23, 59, 0, 0, ny) // 04:59 UTC on the 8th
	if got := w.queueAndSend(t, "Birthdays"); len(got) != 0 {
		t.Fatalf("a minute before midnight: %q", got)
	}
	*now = time.Date(2026, 3, 8, 3, 30, 0, 0, ny) // after the change (02:00 was skipped)
	if got := w.queueAndSend(t, "Birthdays"); len(got) != 1 {
		t.Fatalf("on the day: %q", got)
	}
	*now = time.Date(2026, 3, 9, 0, 1, 0, 0, ny)
	if got := w.queueAndSend(t, "Birthdays"); len(got) != 0 {
		t.Fatalf("the next day: %q", got)
	}
}

func mustDate(s string) data.Date {
	d, err := data.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// The calendar shows a recall's follow-ups on the day they fall due, an
// appointment reminder on its day, and a closed day with no capacity and
// no run.
func TestCalendarFollowupsAndAppointments(t *testing.T) {
	w, now := clinic(t)
	ctx := context.Background()
	anna := w.patient(t, "Anna", "anna@example.com", "")
	w.patient(t, "Ben", "ben@example.com", "")
	if err := w.AddVisit(ctx, data.Visit{PatientID: anna, Date: mustDate("2025-12-01"), Service: "Check-up"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Recall", Segment: "Everyone", Template: "Recall",
		Schedule: ScheduleText{Kind: data.ScheduleRecall, Service: "Check-up", Months: "12", Followups: "1", Every: "14"}}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Appointments", Segment: "Everyone", Template: "Appointment",
		Schedule: ScheduleText{Kind: data.ScheduleAppointment, BeforeAppointment: "2"}}, true); err != nil {
		t.Fatal(err)
	}
	csv := "Email,Date,Time,Service\nben@example.com,2026-12-21,08:00,Cleaning\n"
	if _, err := w.Import(ctx, ImportRequest{Kind: ImportAppointments, File: writeFile(t, "a.csv", csv)}, nil); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-12-01", 10)
	if got := w.queueAndSend(t, "Recall"); len(got) != 1 {
		t.Fatalf("reminder 1: %q", got)
	}
	if err := w.CloseDay(ctx, mustDate("2026-12-19"), "Staff outing"); err != nil {
		t.Fatal(err)
	}
	plan, err := w.Calendar(ctx, mustDate("2026-12-02"), mustDate("2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, e := range plan.Entries {
		if e.Audience > 0 {
			seen[e.Campaign] += e.Day.String() + " " + EntryText(e) + ";"
		}
	}
	if seen["Recall"] != "2026-12-15 1 patient (1 follow-up);" {
		t.Errorf("recall: %q", seen["Recall"])
	}
	// The 21st's appointment is reminded 2 days before: the 19th is closed,
	// so on the 18th (with the 20th's and the 21st's).
	if seen["Appointments"] != "2026-12-18 1 patient;" {
		t.Errorf("appointments: %q", seen["Appointments"])
	}
	for _, d := range plan.Days {
		if d.Day == mustDate("2026-12-19") && (d.Capacity != 0 || plan.Closed[d.Day] != "Staff outing") {
			t.Errorf("the closed day: %+v", d)
		}
	}
}

func TestLateText(t *testing.T) {
	day := func(s string, n int) data.LateDay { return data.LateDay{Day: mustDate(s), Count: n} }
	for _, tc := range []struct {
		late []data.LateDay
		occ  string
		want string
	}{
		{[]data.LateDay{day("2026-12-05", 3)}, "birthday-2026-12-07", "3 birthdays from Saturday"},
		{[]data.LateDay{day("2026-12-05", 2), day("2026-12-06", 1)}, "birthday-2026-12-07", "3 birthdays from Saturday and Sunday"},
		{[]data.LateDay{day("2026-12-01", 1), day("2026-12-03", 4), day("2026-12-06", 4)}, "recall-2026-12-07", "9 recalls from Tuesday to Sunday"},
		{[]data.LateDay{day("2026-11-20", 1), day("2026-12-06", 1)}, "recall-2026-12-07", "2 recalls from 20 November and 6 December"},
		{[]data.LateDay{day("2026-11-20", 1), day("2026-11-25", 1), day("2026-12-06", 1)}, "recall-2026-12-07", "3 recalls from 20 November to 6 December"},
	} {
		if got := LateText(tc.late, tc.occ); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}

// A family campaign sent for real (Mailpit): one email to the shared
// address naming each of them, one to Eve; each email has exactly one
// recipient; every patient is recorded sent once, and a second Send sends
// nothing.
func TestFamilySentThroughMailpit(t *testing.T) {
	mp := mailpittest.Start(t)
	w, now := clinic(t)
	ctx := context.Background()
	for _, n := range []string{"Anna", "Ben", "Clara"} {
		w.patient(t, n, "family@example.com", "")
	}
	w.patient(t, "Eve", "eve@example.com", "")
	w.mustSettings(t, func(st *data.Settings) {
		st.Mail = data.MailAccount{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: data.TLSNone, From: "front@sunny.example"}
	})
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Segment: "Everyone", Template: "Recall", Schedule: ScheduleText{Family: true}}, true); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-12-01", 10)
	res, err := w.Send(ctx, "Flu", SendOptions{})
	if err != nil || res.Sent != 2 || res.Queued.Queued != 4 || res.Queued.Emails != 2 {
		t.Fatalf("send: %+v, %v", res, err)
	}
	msgs := mp.Messages(t)
	if len(msgs) != 2 {
		t.Fatalf("%d emails arrived", len(msgs))
	}
	for _, m := range msgs {
		if len(m.To)+len(m.Cc)+len(m.Bcc) != 1 {
			t.Errorf("%q has %d recipients", m.Subject, len(m.To)+len(m.Cc)+len(m.Bcc))
		}
		if m.To[0].Address == "family@example.com" && !strings.Contains(m.Text, "Dear Anna, Ben and Clara, you are due") {
			t.Errorf("the family's email: %q", m.Text)
		}
	}
	cp, _ := w.Campaign(ctx, "Flu")
	if counts, _ := w.store.OutboxCounts(ctx, cp.ID, ""); counts[data.StatusSent] != 4 {
		t.Errorf("recorded: %v", counts)
	}
	if res, err := w.Send(ctx, "Flu", SendOptions{}); err != nil || res.Sent != 0 || mp.Count(t) != 2 {
		t.Errorf("a second send: %+v, %v", res, err)
	}
}

// The sender, for real: a reminder queued for an appointment that was
// moved before it went out is skipped with the reason, and the run ends.
func TestMovedAppointmentSkippedBySender(t *testing.T) {
	mp := mailpittest.Start(t)
	w, now := clinic(t)
	ctx := context.Background()
	w.patient(t, "Anna", "anna@example.com", "")
	w.patient(t, "Ben", "ben@example.com", "")
	w.mustSettings(t, func(st *data.Settings) {
		st.Mail = data.MailAccount{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: data.TLSNone, From: "front@sunny.example"}
	})
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Appointments", Segment: "Everyone", Template: "Appointment",
		Schedule: ScheduleText{Kind: data.ScheduleAppointment, BeforeAppointment: "2"}}, true); err != nil {
		t.Fatal(err)
	}
	csv := "Email,Appointment ID,Date,Time,Service\nanna@example.com,1,2026-12-03,09:30,Cleaning\nben@example.com,2,2026-12-03,10:00,Exam\n"
	if _, err := w.Import(ctx, ImportRequest{Kind: ImportAppointments, File: writeFile(t, "a.csv", csv)}, nil); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-12-01", 10)
	if q, err := w.Queue(ctx, "Appointments"); err != nil || q.Queued != 2 {
		t.Fatalf("queue: %+v %v", q, err)
	}
	moved := strings.Replace(csv, "2026-12-03,09:30", "2026-12-05,09:30", 1)
	if _, err := w.Import(ctx, ImportRequest{Kind: ImportAppointments, File: writeFile(t, "b.csv", moved)}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := w.Send(ctx, "Appointments", SendOptions{GiveUpAfter: 5 * time.Second})
	if err != nil || res.Sent != 1 || res.Skipped != 1 || mp.Count(t) != 1 {
		t.Fatalf("send: %+v, %v", res, err)
	}
	rows, _ := w.Recipients(ctx, "Appointments")
	for _, r := range rows {
		if strings.HasPrefix(r.Name, "Family, Anna") && (r.Result != data.StatusSkipped || !strings.Contains(r.Reason, "cancelled or moved")) {
			t.Errorf("Anna: %+v", r)
		}
	}
}
