package data

import (
	"context"
	"encoding/json"
	"strconv"
)

// DayRun is who a campaign's run of a day is for, and which email of
// theirs each gets: a birthday's, a recall's reminder, an appointment's.
type DayRun struct {
	Audience     Rule
	Options      QueueOptions
	Steps        map[int64]Step        // recall reminders, by patient
	Appointments map[int64]Appointment // appointment reminders, by patient
}

// DayRun works out a campaign's run of a day: the segment, narrowed for
// daily schedules to the birthdays, recalls and appointments of the day
// (and of the closed and missed days before it, within the catch-up).
func (s *Store) DayRun(ctx context.Context, c Campaign, sched Schedule, seg Rule, day Date) (DayRun, error) {
	run := DayRun{Audience: sched.Audience(seg, day), Options: QueueOptions{BypassCap: sched.BypassCap, Family: sched.Family}}
	var err error
	switch sched.Kind {
	case ScheduleBirthday:
		from, to := sched.BirthdaysOn(day)
		run.Options.Step = func(p Patient) (Step, bool) { return BirthdayStep(p.BirthDate, from, to, sched.DaysBefore) }
	case ScheduleRecall:
		err = s.recallRun(ctx, c, sched, seg, day, &run)
	case ScheduleAppointment:
		err = s.appointmentRun(ctx, sched, seg, day, &run)
	}
	return run, err
}

// recallRun narrows a recall's run to the patients due a reminder: the
// first, or a follow-up.
func (s *Store) recallRun(ctx context.Context, c Campaign, sched Schedule, seg Rule, day Date, run *DayRun) error {
	loc, err := s.Location(ctx)
	if err != nil {
		return err
	}
	// The closed days just before count as missed.
	catchUp := sched.catchUp()
	for d := day.AddDays(-catchUp - 1); sched.Closed.Is(d) && day.AddDays(-60).Before(d); d = d.AddDays(-1) {
		catchUp++
	}
	steps, err := s.RecallDue(ctx, c.ID, RecallOptions{Service: sched.Service, Months: sched.Months,
		Reminder: 1 + sched.Followups, Every: sched.Every, CatchUp: catchUp}, day, loc)
	if err != nil {
		return err
	}
	run.Steps = map[int64]Step{}
	var ids []int64
	for _, st := range steps {
		if _, twice := run.Steps[st.PatientID]; !twice {
			step := Step{Cycle: st.Cycle, Reminder: st.Reminder}
			if st.Reminder == 1 {
				step.Due = st.Due
			}
			run.Steps[st.PatientID] = step
			ids = append(ids, st.PatientID)
		}
	}
	run.Audience = PatientsAmong(seg, ids)
	run.Options.Step = func(p Patient) (Step, bool) { st, ok := run.Steps[p.ID]; return st, ok }
	return nil
}

// appointmentRun narrows an appointment reminder's run to the patients
// with an appointment booked on the days it reminds.
func (s *Store) appointmentRun(ctx context.Context, sched Schedule, seg Rule, day Date, run *DayRun) error {
	from, to := sched.AppointmentsOn(day)
	// Caught up: an appointment whose reminder day was missed (Kindly not
	// opened), or that was booked after it, is reminded now if it is still
	// a day or more ahead - once, by its step.
	if late := day.AddDays(max(1, sched.DaysBefore-sched.catchUp())); late.Before(from) {
		from = late
	}
	run.Appointments = map[int64]Appointment{}
	var ids []int64
	for d := from; !to.Before(d); d = d.AddDays(1) {
		appts, err := s.AppointmentsOn(ctx, d)
		if err != nil {
			return err
		}
		for id, a := range appts {
			if _, twice := run.Appointments[id]; !twice {
				run.Appointments[id] = a
				ids = append(ids, id)
			}
		}
	}
	run.Audience = PatientsAmong(seg, ids)
	run.Options.Step = func(p Patient) (Step, bool) {
		a, ok := run.Appointments[p.ID]
		return Step{Cycle: "a" + strconv.FormatInt(a.ID, 10) + "@" + a.StartsAt(), Reminder: 1, AppointmentID: a.ID, AppointmentAt: a.StartsAt()}, ok
	}
	return nil
}

// PatientsAmong is the members of seg among the given patients.
func PatientsAmong(seg Rule, ids []int64) Rule {
	b, _ := json.Marshal(ids)
	if ids == nil {
		b = []byte("[]")
	}
	return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindPatients, Value: string(b)}}}
}
