package workflow

import (
	"context"
	"fmt"
	"path/filepath"

	"kindly/data"
)

// BackupInfo is one backup as the practice sees it.
type BackupInfo struct {
	Path  string `json:"path"`
	Label string `json:"label"` // "26 Nov 2026 09:30 - before import", in the practice's zone and date format
}

// Backup takes a backup now, at the practice's request.
func (w *Workflow) Backup(ctx context.Context) (string, error) { return w.store.Backup(ctx, "by hand") }

// Backups lists the complete backups, newest first.
func (w *Workflow) Backups(ctx context.Context) ([]BackupInfo, error) {
	files, err := w.store.Backups()
	if err != nil {
		return nil, err
	}
	dates, err := w.Dates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]BackupInfo, 0, len(files))
	for _, f := range files {
		label := filepath.Base(f)
		if at, why, ok := data.BackupTaken(f); ok {
			label = dates.At(at) + " - " + why
		}
		out = append(out, BackupInfo{Path: f, Label: label})
	}
	return out, nil
}

// CheckBackup says what a backup holds, or why it cannot be restored.
func (w *Workflow) CheckBackup(ctx context.Context, file string) (data.BackupInfo, error) {
	return data.CheckBackup(ctx, file)
}

// ScheduleRestore checks a backup and has it restored the next time the
// database is opened by one Kindly alone (the window's next start, or the
// command line's next command): what was sent since and every opt-out are
// kept, campaigns paused.
func (w *Workflow) ScheduleRestore(ctx context.Context, file string) (data.BackupInfo, error) {
	info, err := w.store.ScheduleRestore(ctx, file)
	if err != nil {
		return info, fmt.Errorf("not restored: %w", err)
	}
	return info, nil
}

// SettingsView is what the Settings screen shows besides the settings:
// the backups and the audit log.
type SettingsView struct {
	Settings data.Settings
	Backups  []BackupInfo
	Audit    []data.AuditEntry // newest first
}

// SettingsView reads the settings, the backups and the last 200 entries
// of the audit log.
func (w *Workflow) SettingsView(ctx context.Context) (SettingsView, error) {
	var v SettingsView
	var err error
	if v.Settings, err = w.store.Settings(ctx); err != nil {
		return v, err
	}
	if v.Backups, err = w.Backups(ctx); err != nil {
		return v, err
	}
	v.Audit, err = w.store.AuditLog(ctx, 200)
	return v, err
}
