package lab

// Server paths as the reference gives them for a Linux Primary Server. They
// are the server's namespace; Lab.Rebase maps them into a lab.
const (
	ServerConfDir     = "/etc/opt/novell/zenworks"
	ServerSecurityDir = ServerConfDir + "/security"
	ServerKeystore    = ServerSecurityDir + "/zenca.keystore"
	ServerCaConfig    = ServerSecurityDir + "/CaConfig.xml"
	ServerContentRepo = "/var/opt/novell/zenworks/content-repo"
	ServerImagesDir   = ServerContentRepo + "/images"
	ServerDatabaseDir = "/var/opt/novell/zenworks/database"
	ServerBinDir      = "/opt/novell/zenworks/bin"
	ServerInitScript  = "/etc/init.d/novell-zenserver"
	ServerRootHome    = "/root"
	// ServerBackupDir is the folder of the reference's backup examples
	// (/root/zcm_backups/zone_backup.bak). The lab's server has it, empty,
	// as an administrator who follows the reference does.
	ServerBackupDir = ServerRootHome + "/zcm_backups"
)

// Names of the simulated tools, as Exec and the zone's injected failures
// know them.
const (
	ToolZman      = "zman"
	ToolZenserver = "novell-zenserver"
	ToolConfigure = "novell-zenworks-configure"
	// ToolPermission is the name reference 1.5 step 8 uses; section 2.2
	// step 9e spells it permissions.sh, so the lab answers to both.
	ToolPermission      = "permission.sh"
	ToolPermissionAlias = "permissions.sh"
	ToolZac             = "zac"
	// ToolSQL is the lab's own name: the reference says only "log into the
	// database" and "in the SQL editor", and a real client (dbisql) would
	// need a real database.
	ToolSQL = "zenrecover-sql"
)

// Roles a server holds in the simulated zone (zZenServerRoles).
const (
	RolePrimary       = "Primary"
	RoleDatabase      = "Database"
	RoleMasterPrimary = "MasterPrimary"
	RoleCertAuth      = "CertAuth"
)

// Lab bookkeeping files live at the top of the lab directory, outside the
// server's tree, with leading dots so no server path can collide with them.
const (
	markerFile = ".zenrecover-lab.json"
	zoneFile   = ".zone.json"
	zoneLock   = ".zone.lock"
)
