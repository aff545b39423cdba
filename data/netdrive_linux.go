package data

import "golang.org/x/sys/unix"

// networkFS names the network file systems by their statfs magic number.
var networkFS = map[int64]string{
	unix.SMB_SUPER_MAGIC: "an SMB share", unix.SMB2_SUPER_MAGIC: "an SMB share", unix.CIFS_SUPER_MAGIC: "an SMB share",
	unix.NFS_SUPER_MAGIC: "an NFS share", unix.AFS_SUPER_MAGIC: "an AFS share", unix.CODA_SUPER_MAGIC: "a Coda share",
	unix.NCP_SUPER_MAGIC: "a NetWare share", unix.CEPH_SUPER_MAGIC: "a Ceph share",
}

// mountKind says which network file system dir is on, "" for a local one.
func mountKind(dir string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return ""
	}
	return networkFS[int64(st.Type)]
}
