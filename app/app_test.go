package app

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/internal/storetest"
	"kindly/workflow"
)

// uiQueue makes the test's goroutine the UI goroutine: results of
// background work wait here until the test applies them (onUI, waitFor).
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) post(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
}

// drain applies what background work handed back so far, in order.
func (q *uiQueue) drain() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, fn := range fns {
			fn()
		}
	}
}

var queues sync.Map // *UI -> *uiQueue

// onUI applies the results that arrived, then runs fn, on the test's
// goroutine - the UI goroutine of headless tests.
func onUI(u *UI, fn func()) {
	if u != nil {
		q, _ := queues.Load(u)
		q.(*uiQueue).drain()
	}
	fn()
}

// waitFor applies arriving results until cond holds (or 90 s pass).
func waitFor(t *testing.T, u *UI, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second) // generous: -race makes SQLite several times slower
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		var ok bool
		onUI(u, func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func newTestUI(t *testing.T, patients int) (*UI, fyne.Window) {
	return newTestUIAt(t, patients, time.Time{})
}

// newTestUIAt pins "now" (when not zero) before any screen reads it; the
// practice is in New York.
func newTestUIAt(t *testing.T, patients int, now time.Time) (*UI, fyne.Window) {
	t.Helper()
	clock := time.Now
	if !now.IsZero() {
		clock = func() time.Time { return now }
	}
	store := storetest.OpenWithClock(t, clock)
	work := workflow.New(store)
	testStores.Store(work, store)
	if err := work.EnsureStarters(context.Background()); err != nil {
		t.Fatal(err)
	}
	if patients > 0 {
		if err := work.Demo(context.Background(), patients, 3, false, nil); err != nil {
			t.Fatal(err)
		}
	}
	return uiOn(t, work)
}

// newTestUIOn opens the window on a store opened by the test (closed when
// the test ends).
func newTestUIOn(t *testing.T, store *data.Store) (*UI, fyne.Window) {
	t.Helper()
	t.Cleanup(func() { store.Close() })
	work := workflow.New(store)
	testStores.Store(work, store)
	return uiOn(t, work)
}

// testStores are the stores the tests' windows work on: a test arranges
// and checks the database directly, the window never does.
var testStores sync.Map // *workflow.Workflow -> *data.Store

// storeOf is the store under the test window's workflow.
func storeOf(u *UI) *data.Store {
	s, ok := testStores.Load(u.work)
	if !ok {
		panic("the test window's store is not known")
	}
	return s.(*data.Store)
}

func uiOn(t *testing.T, work *workflow.Workflow) (*UI, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("Kindly")
	u := New(a, w, work)
	q := &uiQueue{}
	queues.Store(u, q)
	u.post = q.post
	w.SetContent(u.Content())
	w.Resize(fyne.NewSize(1024, 700)) // the smallest window the screens are made for
	u.Start()
	t.Cleanup(func() {
		u.Close() // before the store closes
		queues.Delete(u)
	})
	return u, w
}

// typeSettings types a practice and a mail account on a local SMTP server
// (port) into the settings screen, as the practice would.
func typeSettings(s *settingsScreen, name string, port int) {
	s.name.SetText(name)
	s.address.SetText("1 Main Street, Springfield")
	s.phone.SetText("555-0100")
	s.email.SetText("front@sunny.example")
	s.zone.SetText("America/New_York")
	s.preset.SetSelected("Other SMTP server")
	s.host.SetText("127.0.0.1")
	s.port.SetText(strconv.Itoa(port))
	setSecurity(s.tls, data.TLSNone)
	s.from.SetText(name + " <front@sunny.example>")
}

// configure gives the practice a profile and a mail account on a local
// SMTP server (port), as Settings saves them.
func configure(t *testing.T, u *UI, port int) {
	t.Helper()
	ctx := context.Background()
	st, err := u.work.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St, Springfield", Phone: "555-0100", Email: "front@sunny.example"}
	st.Mail = data.MailAccount{Preset: "other", Host: "127.0.0.1", Port: port, TLS: data.TLSNone, From: "front@sunny.example"}
	if err := u.work.SaveSettings(ctx, st, ""); err != nil {
		t.Fatal(err)
	}
}

func TestPatientsSearch(t *testing.T) {
	u, w := newTestUI(t, 500)
	defer onUI(nil, w.Close)
	p := u.patients
	// More than a page: the page shows first, the count after it, and the
	// table then scrolls over everyone.
	n, err := u.work.CountPatients(context.Background(), data.PatientQuery{})
	if err != nil || n <= patientPage {
		t.Fatal(n, err)
	}
	waitFor(t, u, "the patient count", func() bool { return p.count.Text == patientsText(n) && p.total == n })
	var all string
	onUI(u, func() { all = p.count.Text })

	onUI(u, func() { test.Type(p.search, "smith") })
	waitFor(t, u, "the search result", func() bool { return p.count.Text != all && strings.HasSuffix(p.count.Text, " patients") })
	onUI(u, func() {
		rows := p.pages[0]
		if len(rows) == 0 {
			t.Fatal("no Smiths found")
		}
		for _, r := range rows {
			if !strings.Contains(strings.ToLower(r.LastName+" "+r.FirstName+" "+r.Email), "smith") {
				t.Errorf("%s does not match smith", r.DisplayName())
			}
		}
	})

	// Sorting by birth date, newest first, after two taps on the header.
	onUI(u, func() { p.onSort(1); p.onSort(1) })
	waitFor(t, u, "the sorted page", func() bool {
		rows := p.pages[0]
		return p.query.Descending && len(rows) > 1 && !rows[0].BirthDate.Before(rows[1].BirthDate)
	})
}

func TestSegmentsScreenShowsCounts(t *testing.T) {
	u, w := newTestUI(t, 300)
	defer onUI(nil, w.Close)
	onUI(u, func() { u.Show("Segments") })
	s := u.segments
	waitFor(t, u, "segment counts", func() bool { return len(s.rows) == 5 })
	onUI(u, func() {
		for _, r := range s.rows {
			if r.Err != nil || r.Count == 0 {
				t.Errorf("segment %q: %d, %v", r.Name, r.Count, r.Err)
			}
		}
	})
	writeScreenshot(t, w, "segments.png")
}

// writeScreenshot saves the window as a PNG when KINDLY_SCREENSHOTS names a folder.
func writeScreenshot(t *testing.T, w fyne.Window, name string) {
	dir := os.Getenv("KINDLY_SCREENSHOTS")
	if dir == "" {
		return
	}
	var img image.Image
	onUI(nil, func() { img = w.Canvas().Capture() })
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestPatientFormAddsAndValidates(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	saved := make(chan struct{}, 1)
	var f *patientForm
	onUI(u, func() {
		f = showPatientForm(u, data.Patient{}, nil, func() { saved <- struct{}{} })
		test.Type(f.first, "Ada")
		test.Type(f.last, "Lovelace")
		test.Type(f.email, "not-an-email")
		f.onSave()
	})
	waitFor(t, u, "the validation message", func() bool { return strings.Contains(f.message.Text, "not an email address") })
	onUI(u, func() {
		f.email.SetText("ADA@Example.com")
		test.Type(f.born, "1915-12-10")
		test.Type(f.tags, "math, analytical-engine")
		f.promo.SetSelected("opted in")
		f.onSave()
	})
	waitFor(t, u, "the saved patient", func() bool { return received(saved) })
	ps, err := storeOf(u).Patients(context.Background(), data.PatientQuery{Search: "lovelace"})
	if err != nil || len(ps) != 1 {
		t.Fatalf("patients: %v, %v", ps, err)
	}
	p := ps[0]
	tags, _ := storeOf(u).Tags(context.Background(), p.ID)
	if p.Email != "ada@example.com" || p.BirthDate.String() != "1915-12-10" || p.PromoConsent != data.PromoOptedIn || p.PromoSource != "front desk" || len(tags) != 2 {
		t.Fatalf("saved %+v %q", p, tags)
	}
	writeScreenshot(t, w, "patient-form.png")
}

func TestWelcomeOnNewDatabase(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	s := u.today
	waitFor(t, u, "the welcome", func() bool { return s.welcome.Visible() && s.due.Text != "" })
	writeScreenshot(t, w, "welcome.png")
	onUI(u, func() { s.onSample() })
	waitFor(t, u, "sample patients", func() bool { return !s.welcome.Visible() && s.due.Text != "Adding 2,000 sample patients…" })
	if n, _ := storeOf(u).CountPatients(context.Background(), data.PatientQuery{IncludeArchived: true}); n != 2000 {
		t.Fatalf("%d patients", n)
	}
}

// Building "65+ without a flu shot this season" with the rule builder.
func TestSegmentBuilder(t *testing.T) {
	u, w := newTestUI(t, 800)
	defer onUI(nil, w.Close)
	onUI(u, func() { u.Show("Segments") })
	s := u.segments
	waitFor(t, u, "the segment list", func() bool { return len(s.rows) == 5 })
	onUI(u, func() {
		s.name.SetText("Flu 65+")
		s.editor.add(data.Rule{Kind: data.KindAge})
		age := s.editor.children[0].(*conditionEditor)
		age.n1.SetText("65")
		s.editor.add(data.Rule{Kind: data.KindAge})
		visit := s.editor.children[1].(*conditionEditor)
		visit.kind.SetSelected("Last visit")
		visit.text.SetText("flu shot")
		visit.op.SetSelected("not since the 1st of")
		if visit.month == nil || visit.month.Selected != "September" { // months by name, the season's start offered
			t.Errorf("the month is not chosen by name: %v", visit.month)
		}
		visit.month.SetSelected("September")
	})
	want := data.Rule{Kind: data.KindAll, Rules: []data.Rule{{Kind: data.KindAge, Min: ptr(65)}, {Kind: data.KindVisit, Service: "flu shot", Op: data.VisitNotSince, Month: 9}}}
	n, err := storeOf(u).SegmentCount(context.Background(), want)
	if err != nil || n == 0 {
		t.Fatal(n, err)
	}
	waitFor(t, u, "the live count", func() bool { return s.count.Text == patientsText(n)+" today" })
	onUI(u, func() {
		if s.sentence.Text != "Patients aged 65 or older and who had no flu shot since 1 September." || !strings.HasPrefix(s.members.Text, "Members") || len(s.memberRows) == 0 {
			t.Errorf("sentence %q members %q", s.sentence.Text, s.members.Text)
		}
		s.onSave()
	})
	waitFor(t, u, "saved", func() bool { return s.saveMsg.Text == "Saved." })
	seg, err := storeOf(u).SegmentByName(context.Background(), "Flu 65+")
	if err != nil || seg.Rule.JSON() != want.JSON() {
		t.Fatalf("saved %s, %v", seg.Rule.JSON(), err)
	}
	first, _ := storeOf(u).SegmentMembers(context.Background(), want, 0, 1)
	onUI(u, func() { s.onWhy(first[0].LastName + " " + first[0].FirstName) })
	waitFor(t, u, "the explanation", func() bool {
		return strings.Contains(s.why.Text, "is in this segment") || strings.Contains(s.why.Text, "is not")
	})
	onUI(u, func() {
		if !strings.Contains(s.why.Text, "yes: aged 65 or older") {
			t.Errorf("why %q", s.why.Text)
		}
	})
	writeScreenshot(t, w, "segment-builder.png")

	// Duplicate, then delete the copy.
	onUI(u, func() { s.onDuplicate() })
	waitFor(t, u, "the copy", func() bool { return s.name.Text == "Flu 65+ (copy)" && len(s.rows) == 7 })
	onUI(u, func() { s.onDelete() })
	onUI(u, func() { tapButton(t, w, "Yes") })
	waitFor(t, u, "the deletion", func() bool { return len(s.rows) == 6 && strings.Contains(u.notice.text.Text, "was deleted") })
	if _, err := storeOf(u).SegmentByName(context.Background(), "Flu 65+ (copy)"); err == nil {
		t.Fatal("the copy is still there")
	}
}

func ptr(n int) *int { return &n }

// received says whether something came on ch, without waiting.
func received[T any](ch chan T) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestPatientFormVisits(t *testing.T) {
	u, w := newTestUI(t, 30)
	defer onUI(nil, w.Close)
	ps, _ := storeOf(u).Patients(context.Background(), data.PatientQuery{Limit: 1})
	var f *patientForm
	onUI(u, func() { f = showPatientForm(u, ps[0], nil, nil) })
	waitFor(t, u, "the visits", func() bool { return f.visits.Text != "Loading visits…" })
	onUI(u, func() {
		f.visitDate.SetText("2026-10-02")
		f.visitService.SetText("Flu shot")
		f.onAddVisit()
	})
	// New York: month first.
	waitFor(t, u, "the new visit", func() bool { return strings.Contains(f.visits.Text, "Oct 2, 2026  Flu shot") })
}

// The window takes the daily backup when it starts.
func TestDailyBackupAtStart(t *testing.T) {
	if storetest.OnServer {
		t.Skip("the practice server's backups are its own (pg_dump): data.TestDailyBackup")
	}
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	waitFor(t, u, "the daily backup", func() bool {
		list, _ := storeOf(u).Backups()
		return len(list) == 1 && strings.HasSuffix(list[0], "-daily.db")
	})
}

// Restoring from Settings: the backup is checked and its patients counted
// before the practice confirms; the next start restores it and says what
// it did.
func TestRestoreFromSettings(t *testing.T) {
	if storetest.OnServer {
		t.Skip("a backup is put in place over the database file; the server's is not replaced (data: TestServerRestoreRefused)")
	}
	u, w := newTestUI(t, 12)
	onUI(u, func() { u.Show("Settings") })
	s := u.settings
	waitFor(t, u, "the daily backup", func() bool { list, _ := storeOf(u).Backups(); return len(list) == 1 })
	onUI(u, s.refresh)
	waitFor(t, u, "the daily backup in the list", func() bool { return len(s.backupList) == 1 })
	if err := storeOf(u).CreatePatient(context.Background(), &data.Patient{LastName: "Later", FirstName: "Lee"}); err != nil {
		t.Fatal(err)
	}
	onUI(u, func() { s.chosenBackup = 0; s.onRestore() })
	var confirm string
	waitFor(t, u, "the confirmation", func() bool {
		confirm = overlayText(w)
		return strings.Contains(confirm, "It holds 12 patients")
	})
	onUI(u, func() { tapButton(t, w, "Yes") })
	waitFor(t, u, "the restore scheduled", func() bool { return strings.HasPrefix(s.status.Text, "Close and reopen Kindly") })
	path := storeOf(u).Path()
	onUI(nil, w.Close)
	storeOf(u).Close()

	store, err := data.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	u2, w2 := newTestUIOn(t, store)
	defer onUI(nil, w2.Close)
	waitFor(t, u2, "the restore's report", func() bool { return strings.Contains(overlayText(w2), "Restored kindly-") })
	if n, _ := store.CountPatients(context.Background(), data.PatientQuery{IncludeArchived: true}); n != 12 {
		t.Errorf("%d patients after the restore", n)
	}
}

// overlayText is the text of the dialog on top of the window ("" when none).
func overlayText(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		case *widget.Button:
			b.WriteString("[" + x.Text + "]\n")
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
			return
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(top)
	return b.String()
}

// tapButton taps the button with this text in the dialog on top.
func tapButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Button:
			if x.Text == text {
				found = x
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	if top := w.Canvas().Overlays().Top(); top != nil {
		walk(top)
	}
	if found == nil {
		t.Fatalf("no button %q in %q", text, overlayText(w))
	}
	test.Tap(found)
}
