package mailer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"kindly/data"
)

// Progress is the state of a running send, for progress bars and logs.
type Progress struct {
	Sent, Failed, Skipped, Uncertain int // in this run
	Remaining                        int // still queued in the occurrence
	// Recovered emails were being sent when Kindly stopped before this run;
	// they are uncertain now and never sent again.
	Recovered int
	Waiting   time.Duration // > 0 while waiting (limits, send window, the server)
	Note      string        // why it waits, in words
	ETA       time.Duration // time to the last email, by the limits and the pace so far
}

// Sender works an occurrence's outbox: one SMTP connection, the limits,
// retries; the state of every message is on disk before and after its
// SMTP transaction, so a restart resumes exactly. Only one Sender works a
// database at a time (Store.LockSending).
type Sender struct {
	Store    Outbox
	Account  Account
	Practice data.Practice
	Limits   Limits
	// Window is when emails may go out, in Location (the practice's zone).
	Window   data.Window
	Location *time.Location
	// MaxAttempts per patient whose server refuses for now (default 6, over
	// about an hour).
	MaxAttempts int
	// GiveUpAfter ends the run when the mail server has been out of reach
	// this long; 0 keeps trying (with growing pauses) until it comes back.
	GiveUpAfter time.Duration
	// Breaker pauses the run after this many refusals in a row that are not
	// about the addresses - a server refusing everyone (default 10).
	Breaker int
	// Sleep waits d or until ctx ends; tests replace it with a fake clock.
	Sleep    func(ctx context.Context, d time.Duration) error
	Progress func(Progress)
	// Dial opens the SMTP session (default: Dial with Account and Practice).
	Dial func(ctx context.Context) (Session, error)
}

// Session is an open SMTP connection (a *Connection in real use).
type Session interface {
	// SendWhenReady sends one email, asking ready before its final "."
	// (Connection.SendWhenReady).
	SendWhenReady(m Message, ready func() error) error
	Close() error
}

// ErrStopped says a run ended before its queue was empty; nothing is lost:
// sending again goes on where it stopped.
type ErrStopped struct {
	Reason string
	Hint   data.Hint // an action the practice can take, for the front end to word
}

func (e *ErrStopped) Error() string { return "sending stopped: " + e.Reason }

// NextStep is what the practice can do about it (data.HintOf).
func (e *ErrStopped) NextStep() (data.Hint, string) { return e.Hint, "" }

func (s *Sender) defaults() {
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 6
	}
	if s.Breaker == 0 {
		s.Breaker = 10
	}
	if s.Sleep == nil {
		s.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	if s.Dial == nil {
		s.Dial = func(ctx context.Context) (Session, error) {
			c, err := Dial(ctx, s.Account, s.Practice)
			if err != nil {
				return nil, err // not a typed nil inside the interface
			}
			return c, nil
		}
	}
}

// Run sends the queued messages of one occurrence until none are left,
// ctx ends (a pause: the rest stays queued), or the run must stop (the
// account is refused, the server refuses everyone, or it stayed out of
// reach longer than GiveUpAfter).
func (s *Sender) Run(ctx context.Context, c data.Campaign, occurrence string) (Progress, error) {
	unlock, err := s.Store.LockSending()
	if err != nil {
		return Progress{}, err
	}
	defer unlock()
	return s.RunLocked(ctx, c, occurrence)
}

// RunLocked is Run for a caller that holds the sending lock
// (Outbox.LockSending) for the whole run.
func (s *Sender) RunLocked(ctx context.Context, c data.Campaign, occurrence string) (Progress, error) {
	s.defaults()
	var err error
	r := &run{Sender: s, ctx: ctx, c: c, occ: occurrence, connFails: map[int64]int{}, refusedBy: map[string][]int64{}, dayLimit: s.Limits.PerDay}
	defer r.hangUp()
	if r.tag, err = busyRetry(ctx, r.waitBusy, func() (string, error) { return s.Store.MessageTag(ctx) }); err != nil {
		return r.pr, err
	}
	if r.pr.Recovered, err = busyRetry(ctx, r.waitBusy, func() (int, error) { return s.Store.RecoverInterrupted(ctx) }); err != nil {
		return r.pr, err
	}
	err = r.loop()
	if ferr := r.flush(); err == nil {
		err = ferr
	}
	if r.paceN >= 5 { // the server's pace, for the next estimates
		r.Store.RecordPace(context.WithoutCancel(ctx), r.paceSum/time.Duration(r.paceN))
	}
	r.report()
	return r.pr, err
}

// run is one Run's state.
type run struct {
	*Sender
	ctx    context.Context
	c      data.Campaign
	occ    string
	pr     Progress
	conn   Session
	window []data.OutboxMessage // the next few queued messages

	outageSince time.Time // when the server went out of reach (zero: it is in reach)
	outages     int       // failed connections in a row
	slowdowns   int       // "slow down" replies in a row
	connSent    int       // emails the open connection took: a dead one that took some is replaced quietly
	// The breaker: the same refusal (not about the address) for patient
	// after patient; refusedBy holds every patient failed by each refusal in
	// this run, so they go back to the queue when it trips.
	streakKey string
	streak    int
	refusedBy map[string][]int64
	connFails map[int64]int
	dayLimit  int // the practice's limit, or the server's quota once it showed
	noted     bool
	// dbLost says the database did not answer at some point (a claim in
	// the background waited for it): next checks the sending lock.
	dbLost atomic.Bool

	reported time.Time // when Progress last heard
	// sentID is an email the server took (250) that is still "sending" on
	// disk: it is recorded as sent in the transaction that claims the next
	// one, or by flush when the run waits or ends (0: none).
	sentID int64

	paceSum time.Duration // real time spent per email sent in this run
	paceN   int
	tag     string // the database's Message-ID tag (MessageID)
}

// errAgain: a wait or a reconnect happened; look at the queue again.
var errAgain = errors.New("again")

func (r *run) loop() error {
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		m, err := r.next()
		if err != nil {
			return err
		}
		if m == nil {
			if err := r.waitForRetries(); !errors.Is(err, errAgain) {
				return err // nil: the occurrence is through
			}
			continue
		}
		err = r.gate()
		if err == nil {
			err = r.connect()
		}
		if err == nil {
			err = r.send(*m)
		}
		switch {
		case errors.Is(err, errAgain):
			r.window = nil // read the queue again after a wait
		case err != nil:
			return err
		}
	}
}

// next is the next message that may go out now, nil when there is none.
// Before it reads the queue, and after the database did not answer, it
// makes sure this run still holds the sending lock: on the practice
// server a lost connection lets it go, and another computer may have
// taken it meanwhile (then this run stops and says which one sends).
func (r *run) next() (*data.OutboxMessage, error) {
	if r.dbLost.Swap(false) || len(r.window) == 0 {
		if err := busyDo(r.ctx, r.waitBusy, func() error { return r.Store.KeepSending(r.ctx) }); err != nil {
			return nil, err
		}
	}
	if len(r.window) == 0 {
		var err error
		r.window, err = busyRetry(r.ctx, r.waitBusy, func() ([]data.OutboxMessage, error) {
			return r.Store.NextQueuedBatch(r.ctx, r.c.ID, r.occ, 50)
		})
		if err != nil || len(r.window) == 0 {
			return nil, err
		}
	}
	m := r.window[0]
	return &m, nil
}

// waitForRetries waits for the messages that are to be tried again later
// (errAgain), if any; nil when the occurrence is through.
func (r *run) waitForRetries() error {
	at, n, err := busyRetry3(r.ctx, r.waitBusy, func() (time.Time, int, error) { return r.Store.NextRetry(r.ctx, r.c.ID, r.occ) })
	if err != nil || n == 0 {
		return err
	}
	return r.pause(at.Sub(r.Store.Clock())+time.Second, fmt.Sprintf("%d %s to try again at %s", n, data.Plural(n, "email waits", "emails wait"), r.clock(at)))
}

// gate waits for the send window and the mailbox's limits.
func (r *run) gate() error {
	if r.Limits.PerMinute > 0 || r.dayLimit > 0 {
		if err := r.flush(); err != nil { // the limits count what was sent
			return err
		}
	}
	now := r.Store.Clock()
	if r.Location != nil {
		if open, next := r.Window.InWindow(now.In(r.Location)); !open && !next.IsZero() {
			return r.pause(next.Sub(now), "outside the send window until "+r.clock(next))
		}
	}
	wait, err := r.limitWait()
	if err != nil || wait == 0 {
		return err
	}
	return r.pause(wait, "waiting for the mailbox's sending limit")
}

// pause waits d with a note, and says so; a long wait hangs up first, as
// an idle connection would time out anyway. It returns errAgain (or the
// context's error).
func (r *run) pause(d time.Duration, note string) error {
	if d <= 0 {
		return errAgain
	}
	if err := r.flush(); err != nil {
		return err
	}
	if d >= 20*time.Second {
		r.hangUp()
	}
	r.pr.Waiting, r.pr.Note, r.noted = d, note, true
	r.report()
	err := r.Sleep(r.ctx, d)
	r.pr.Waiting = 0
	if err != nil {
		return err
	}
	return errAgain
}

// connect opens the connection when there is none. A server out of reach
// is tried again with growing pauses, without counting against anyone.
func (r *run) connect() error {
	if r.conn != nil {
		return nil
	}
	conn, err := r.Dial(r.ctx)
	if err == nil {
		r.conn, r.outageSince, r.outages, r.connSent = conn, time.Time{}, 0, 0
		return nil
	}
	if r.ctx.Err() != nil {
		return r.ctx.Err()
	}
	if v := classifyDial(err); v.Party != PartyConnection && !v.Temporary {
		return &ErrStopped{Reason: err.Error(), Hint: v.Hint}
	}
	now := r.Store.Clock()
	if r.outageSince.IsZero() {
		r.outageSince = now
	}
	if r.GiveUpAfter > 0 && now.Sub(r.outageSince) >= r.GiveUpAfter {
		return &ErrStopped{Reason: fmt.Sprintf("the mail server has been out of reach since %s (%v)", r.clock(r.outageSince), err)}
	}
	r.outages++
	wait := backoff(r.outages, 5*time.Second, 5*time.Minute)
	return r.pause(wait, fmt.Sprintf("cannot reach the mail server since %s, trying again at %s (%v)",
		r.clock(r.outageSince), r.clock(now.Add(wait)), err))
}

// classifyDial tells a sign-in or set-up problem (stop and tell the
// practice) from a network one (try again), by the error's type: never by
// words, which may be in a host name.
func classifyDial(err error) Verdict {
	var de *DialError
	if errors.As(err, &de) {
		return de.Verdict
	}
	if errors.Is(err, ErrPlainOverNetwork) {
		return Verdict{Party: PartySender, Reason: ReasonSecurity}
	}
	return Verdict{Party: PartyConnection, Temporary: true, Reason: ReasonNetworkError}
}

func (r *run) hangUp() {
	if r.conn != nil {
		r.conn.Close()
		r.conn = nil
	}
}

// send sends one message and records what came of it. The claim - on
// disk before the SMTP transaction can deliver anything, so a crash leaves
// "sending", which the next run turns into "uncertain" instead of sending
// again - runs while the first commands go out, and the email's final "."
// waits for it. The same statement re-checks consent and takes the
// patient's address as it is now; the last email taken is recorded as
// sent in the same transaction.
func (r *run) send(m data.OutboxMessage) error {
	r.window = r.window[1:]
	claim := r.claim(m.ID)
	var c claimed
	waited := false
	wait := func() claimed {
		if !waited {
			c, waited = <-claim, true
		}
		return c
	}
	ready := func() error {
		if !waited {
			select {
			case c = <-claim:
				waited = true
			case <-time.After(claimPatience):
				return errClaimSlow // the database is held: nothing waits in the middle of an email
			}
		}
		switch c := wait(); {
		case c.err != nil:
			return c.err
		case !c.ok:
			return errNotClaimed
		case !strings.EqualFold(c.to, m.Email):
			return errAddressChanged
		}
		return nil
	}
	start := time.Now()
	sendErr := r.conn.SendWhenReady(Message{ID: MessageID(m.ID, r.tag, r.Account.From), To: m.Email, Subject: m.Subject, Text: m.Text, HTML: m.HTML}, ready)
	if errors.Is(sendErr, errClaimSlow) {
		r.hangUp() // abandoned before its end: nothing was delivered
		r.waitingForDatabase()
	}
	c = wait()
	switch {
	case c.err != nil:
		r.hangUp()
		r.sentID = c.unsaved // recorded when the run ends
		return c.err
	case !c.ok:
		if errors.Is(sendErr, errNotClaimed) {
			r.hangUp() // abandoned before its end: nothing was delivered
		}
		return r.skip(m)
	case errors.Is(sendErr, errAddressChanged) || errors.Is(sendErr, errClaimSlow):
		// The patient's address changed since queueing, or the claim came
		// too late: again, uncounted (to the new address), on a new connection.
		r.hangUp()
		r.window = nil
		return r.retry(m.ID, time.Time{}, "", false)
	}
	res := classify(sendErr, r.Account.From)
	switch res.out {
	case outSent:
		r.connSent++
	case outConnection, outUncertain, outSlowDown, outQuota, outAccount:
		// The connection is dead or refused: a new one for the next email.
		fresh := r.connSent == 0
		r.hangUp()
		if res.out != outConnection {
			break
		}
		switch {
		case !fresh:
			// It took emails before: it died meanwhile. Again on a new
			// one, quietly, uncounted.
		case res.v.Code != 0:
			res.out = outSlowDown // a new connection closed at once (421): the server is busy
		default:
			if r.connFails[m.ID]++; r.connFails[m.ID] >= 3 {
				// New connections break on this email every time: count it.
				res.out, res.v = outRecipientLater, Verdict{Party: PartyRecipient, Temporary: true, Reason: ReasonNetworkError}
			}
		}
	}
	return r.record(m, res, time.Since(start))
}

// claimPatience is how long an email waits, before its end, for its claim
// to be on disk; longer, and it is abandoned and sent again later.
const claimPatience = 5 * time.Second

// waitingForDatabase says that the run waits because another program holds
// the database.
func (r *run) waitingForDatabase() {
	r.pr.Note, r.noted = "waiting for the database: another program (an import, a backup or another Kindly) is using it, "+
		"or the practice server does not answer", true
	r.report()
}

// waitBusy is the pause between tries while the database is held by
// another program: the progress line says so.
func (r *run) waitBusy(ctx context.Context, d time.Duration) error {
	r.dbLost.Store(true)
	if !r.noted {
		r.waitingForDatabase()
	}
	return r.Sleep(ctx, d)
}

var (
	errClaimSlow      = errors.New("the database did not answer in time")
	errNotClaimed     = errors.New("the patient may no longer get this email")
	errAddressChanged = errors.New("the patient's address changed since the email was queued")
)

// claimed is what claiming a message said.
type claimed struct {
	ok  bool
	to  string
	err error
	// unsaved is the email taken that the failed claim did not record.
	unsaved int64
}

// claim claims a message in the background (and records the last email
// taken as sent, in the same transaction); the answer comes on the channel.
func (r *run) claim(id int64) <-chan claimed {
	ch := make(chan claimed, 1)
	sent := r.sentID
	r.sentID = 0
	go func() {
		bg := context.WithoutCancel(r.ctx)
		var c claimed
		waited := func(ctx context.Context, d time.Duration) error {
			r.dbLost.Store(true)
			return r.Sleep(ctx, d)
		}
		c.err = busyDo(bg, waited, func() (err error) {
			if sent != 0 {
				c.ok, c.to, err = r.Store.MarkSentAndClaim(bg, sent, id, r.c.Purpose)
			} else {
				c.ok, c.to, err = r.Store.ClaimForSending(bg, id, r.c.Purpose)
			}
			if err == nil {
				sent = 0 // recorded, even if a later try of this claim were needed
			}
			return err
		})
		c.unsaved = sent
		ch <- c
	}()
	return ch
}

// flush records the last email taken as sent, when no claim did yet.
func (r *run) flush() error {
	if r.sentID == 0 {
		return nil
	}
	id := r.sentID
	r.sentID = 0
	return r.mark(id, data.StatusSent, "")
}

// skip records why a message that could not be claimed is not sent.
func (r *run) skip(m data.OutboxMessage) error {
	var may bool
	var why string
	err := busyDo(r.ctx, r.waitBusy, func() (err error) {
		may, why, err = r.Store.MaySend(r.ctx, m.ID, m.PatientID, r.c.Purpose)
		return err
	})
	if err != nil || may {
		return err // may: no longer queued (another run took it)
	}
	r.pr.Skipped++
	return r.mark(m.ID, data.StatusSkipped, why)
}

// record writes the outcome of a transaction and decides what comes next.
func (r *run) record(m data.OutboxMessage, res result, took time.Duration) error {
	now := r.Store.Clock()
	if res.out != outRecipientFailed {
		r.streakKey, r.streak = "", 0
	}
	reply := res.reply
	switch res.out {
	case outSent:
		r.pr.Sent++
		r.paceSum, r.paceN, r.slowdowns = r.paceSum+took, r.paceN+1, 0
		r.sentID = m.ID // on disk with the next claim, or when the run waits or ends
		if r.noted || time.Since(r.reported) >= reportEvery {
			r.pr.Note, r.noted = "", false // sending works again
			r.report()
		}
		return nil
	case outUncertain:
		r.pr.Uncertain++
		return r.mark(m.ID, data.StatusUncertain, "the mail server took the email but its answer never came ("+reply+
			"): it may have arrived, so Kindly does not send it again unless you decide so")
	case outConnection:
		return r.retry(m.ID, time.Time{}, "", false) // the same email at once, on a new connection
	case outSlowDown:
		if err := r.retry(m.ID, time.Time{}, "", false); err != nil {
			return err
		}
		r.slowdowns++
		wait := backoff(r.slowdowns, 30*time.Second, 15*time.Minute)
		return r.pause(wait, fmt.Sprintf("the mail server asks Kindly to slow down; going on at %s (%s)", r.clock(now.Add(wait)), reply))
	case outQuota:
		if err := r.retry(m.ID, time.Time{}, "", false); err != nil {
			return err
		}
		return r.quotaReached(reply)
	case outAccount:
		if err := r.retry(m.ID, time.Time{}, "", false); err != nil {
			return err
		}
		n, err := r.takeBack(res.refusalKey())
		if err != nil {
			return err
		}
		why := "the mailbox refused to send: " + res.v.Reason.Words() + " (" + reply + ")"
		if n > 0 {
			why += fmt.Sprintf("; the %d %s refused the same way in this run %s back in the queue", n, data.Plural(n, "patient", "patients"), data.Plural(n, "is", "are"))
		}
		return &ErrStopped{Reason: why, Hint: res.v.Hint}
	case outRecipientLater:
		tries := m.Attempts + 1
		if tries >= r.MaxAttempts {
			r.pr.Failed++
			return r.mark(m.ID, data.StatusFailed, fmt.Sprintf("gave up after %d tries: %s", tries, inWords(res)))
		}
		at := now.Add(backoff(tries, time.Minute, time.Hour))
		return r.retry(m.ID, at, fmt.Sprintf("will try again at %s: %s", r.clock(at), inWords(res)), true)
	}
	return r.refused(m, res)
}

// refused records a patient's email refused for good: the patient fails,
// and the refusal is a bounce of the address (hard when the address
// itself is bad). The same refusal, not about the address, for Breaker
// patients in a row is the server refusing everyone: they go back.
func (r *run) refused(m data.OutboxMessage, res result) error {
	r.pr.Failed++
	bg := context.WithoutCancel(r.ctx)
	err := busyDo(bg, r.waitBusy, func() error {
		return r.Store.MarkRefused(bg, m.ID, inWords(res), res.v.AddressUnusable(), res.v.Reason.Words())
	})
	if err != nil || res.v.aboutTheAddress() {
		return err
	}
	key := res.refusalKey()
	r.refusedBy[key] = append(r.refusedBy[key], m.ID)
	if key != r.streakKey {
		r.streakKey, r.streak = key, 0
	}
	if r.streak++; r.streak < r.Breaker {
		return nil
	}
	n, err := r.takeBack(key)
	if err != nil {
		return err
	}
	return &ErrStopped{Reason: fmt.Sprintf("the mail server refused the last %d patients one after another (%s): it refuses everyone, not them. "+
		"Check that this mailbox may send to other addresses (relay), that the sender address is the mailbox's own, "+
		"and the account's standing with your provider. The %d %s refused this way in this run %s back in the queue",
		r.streak, res.reply, n, data.Plural(n, "email", "emails"), data.Plural(n, "is", "are"))}
}

// takeBack puts every patient failed by one refusal in this run back in
// the queue, uncharged, with their bounces forgotten; it returns how many.
func (r *run) takeBack(key string) (int, error) {
	ids := r.refusedBy[key]
	bg := context.WithoutCancel(r.ctx)
	for _, id := range ids {
		if err := busyDo(bg, r.waitBusy, func() error { return r.Store.TakeBackRefusal(bg, id) }); err != nil {
			return 0, err
		}
	}
	delete(r.refusedBy, key)
	r.pr.Failed -= len(ids)
	r.streakKey, r.streak = "", 0
	return len(ids), nil
}

// quotaReached: the server says the mailbox's quota is used up. What it
// sent in the last 24 hours is the quota now; the run waits until the
// oldest of those is a day old (an hour when none is Kindly's).
func (r *run) quotaReached(reply string) error {
	if err := r.flush(); err != nil {
		return err
	}
	now := r.Store.Clock()
	sent, err := busyRetry(r.ctx, r.waitBusy, func() (int, error) { return r.Store.SentSince(r.ctx, now.Add(-24*time.Hour)) })
	if err != nil {
		return err
	}
	wait := time.Hour
	if sent > 0 {
		r.dayLimit = sent
		if err := busyDo(context.WithoutCancel(r.ctx), r.waitBusy, func() error { return r.Store.RecordServerDayLimit(r.ctx, sent) }); err != nil {
			return err
		}
		if w, err := r.limitWait(); err != nil {
			return err
		} else if w > 0 {
			wait = w
		}
	}
	return r.pause(wait, fmt.Sprintf("the mailbox's sending quota is used up (%d sent in 24 hours); going on at %s (%s)", sent, r.clock(now.Add(wait)), reply))
}

// mark and retry record on disk; the record is kept even when the run is
// paused meanwhile, and a busy database is waited for.
func (r *run) mark(id int64, status, reason string) error {
	bg := context.WithoutCancel(r.ctx)
	return busyDo(bg, r.waitBusy, func() error { return r.Store.MarkResult(bg, id, status, reason) })
}

func (r *run) retry(id int64, at time.Time, reason string, counted bool) error {
	bg := context.WithoutCancel(r.ctx)
	return busyDo(bg, r.waitBusy, func() error { return r.Store.MarkRetry(bg, id, at, reason, counted) })
}

// reportEvery is how often a fast run counts its queue for Progress: the
// counts read the occurrence's rows, which per email would slow the run.
const reportEvery = 250 * time.Millisecond

// report tells Progress how things stand.
func (r *run) report() {
	if r.Progress == nil {
		return
	}
	r.reported = time.Now()
	counts, _ := r.Store.OutboxCounts(context.WithoutCancel(r.ctx), r.c.ID, r.occ)
	r.pr.Remaining = counts[data.StatusQueued]
	pace := time.Duration(0)
	if r.paceN > 0 {
		pace = r.paceSum / time.Duration(r.paceN)
	}
	sent, _ := r.Store.SentSince(context.WithoutCancel(r.ctx), r.Store.Clock().Add(-24*time.Hour))
	r.pr.ETA, _ = Estimate(r.pr.Remaining, Limits{PerMinute: r.Limits.PerMinute, PerDay: r.dayLimit}, pace, sent)
	r.Progress(r.pr)
}

// limitWait says how long to wait before the next message may go out.
func (r *run) limitWait() (time.Duration, error) {
	now := r.Store.Clock()
	check := func(limit int, window time.Duration) (time.Duration, error) {
		if limit <= 0 {
			return 0, nil
		}
		since := now.Add(-window)
		n, err := busyRetry(r.ctx, r.waitBusy, func() (int, error) { return r.Store.SentSince(r.ctx, since) })
		if err != nil || n < limit {
			return 0, err
		}
		oldest, err := busyRetry(r.ctx, r.waitBusy, func() (time.Time, error) { return r.Store.OldestSentSince(r.ctx, since) })
		if err != nil {
			return 0, err
		}
		return max(oldest.Add(window).Sub(now)+time.Second, time.Second), nil
	}
	day, err := check(r.dayLimit, 24*time.Hour)
	if err != nil || day > 0 {
		return day, err
	}
	return check(r.Limits.PerMinute, time.Minute)
}

// clock says a moment the way the practice reads it, in its time zone.
func (r *run) clock(t time.Time) string {
	loc := r.Location
	if loc == nil {
		loc = time.Local
	}
	t = t.In(loc)
	if t.YearDay() == r.Store.Clock().In(loc).YearDay() {
		return t.Format("15:04")
	}
	return t.Format("Mon 2 Jan 15:04")
}

// backoff is the n-th pause of a growing series: first, doubling, at most most.
func backoff(n int, first, most time.Duration) time.Duration {
	d := first
	for i := 1; i < n && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// busyRetry runs fn until the database is not busy (an import may hold it
// for a minute) and the practice server answers again (a network cut, a
// restart): the sender waits with growing pauses, it never dies mid-run.
func busyRetry[T any](ctx context.Context, sleep func(context.Context, time.Duration) error, fn func() (T, error)) (T, error) {
	for n := 1; ; n++ {
		v, err := fn()
		if !data.Retryable(err) || n >= 120 {
			return v, err
		}
		if err := sleep(ctx, backoff(n, 250*time.Millisecond, 5*time.Second)); err != nil {
			return v, err
		}
	}
}

func busyRetry3[T, U any](ctx context.Context, sleep func(context.Context, time.Duration) error, fn func() (T, U, error)) (T, U, error) {
	var u U
	t, err := busyRetry(ctx, sleep, func() (T, error) {
		var t T
		var err error
		t, u, err = fn()
		return t, err
	})
	return t, u, err
}

func busyDo(ctx context.Context, sleep func(context.Context, time.Duration) error, fn func() error) error {
	_, err := busyRetry(ctx, sleep, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}
