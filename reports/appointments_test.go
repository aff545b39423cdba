package reports

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kindly/data"
)

// Appointment lists in the shapes practice systems export them: Open
// Dental's columns, a Dentrix-style list with the date and time apart, a
// French Doctolib export, a German list with semicolons. Each row finds
// its patient, its start and its status.
func TestAppointmentExportShapes(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, p := range []data.Patient{
		{ExternalID: "1042", FirstName: "Anna", LastName: "Meier", Email: "anna@example.com"},
		{ExternalID: "1043", FirstName: "Marie", LastName: "Dupont", Email: "marie@example.fr"},
	} {
		if err := s.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, text string
		want       []string // "start status service" per row
	}{
		{"open-dental.csv", "AptNum,PatNum,AptDateTime,ProcDescript,ProvAbbr,AptStatus\n77,1042,12/8/2026 9:30:00 AM,Prophy,DOC1,Scheduled\n78,1043,12/9/2026 2:15:00 PM,Exam,DOC1,Broken\n",
			[]string{"2026-12-08 09:30 booked Prophy", "2026-12-09 14:15 cancelled Exam"}},
		{"dentrix.csv", "Patient ID,Patient Name,Appt Date,Appt Time,Provider,Appt Reason,Status\n1042,\"Meier, Anna\",12/10/2026,10:00 AM,DDS1,Cleaning,Completed\n",
			[]string{"2026-12-10 10:00 completed Cleaning"}},
		{"doctolib.csv", "Date,Heure,Patient,Email,Motif,Statut\n11/12/2026,08:45,Marie Dupont,marie@example.fr,Contrôle,Confirmé\n12/12/2026,09:00,Marie Dupont,marie@example.fr,Contrôle,Non honoré\n",
			[]string{"2026-12-11 08:45 booked Contrôle", "2026-12-12 09:00 no_show Contrôle"}},
		{"praxis.csv", "Patientennummer;Datum;Uhrzeit;Terminart;Status\n1042;14.12.2026;11:30;Kontrolle;geplant\n1042;15.12.2026;12:00;Kontrolle;abgesagt\n",
			[]string{"2026-12-14 11:30 booked Kontrolle", "2026-12-15 12:00 cancelled Kontrolle"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(path, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			table, err := ReadTable(path, "")
			if err != nil {
				t.Fatal(err)
			}
			o := Options{}
			if strings.Contains(tc.name, "doctolib") || strings.Contains(tc.name, "praxis") {
				d := DayFirst
				o.DateOrder = &d
			}
			p, err := PlanAppointments(ctx, s, table, o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range p.Rows {
				if r.Action == ActionReject {
					t.Errorf("row %d rejected: %s (mapping %v)", r.Row, r.Reason, p.Mapping)
					continue
				}
				a := r.Appointment
				got = append(got, a.StartsAt()+" "+a.Status+" "+a.Service)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got  %q\nwant %q (mapping %v)", got, tc.want, p.Mapping)
			}
		})
	}
}
