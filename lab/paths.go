package lab

// Server paths as the reference gives them for a Linux Primary Server. They
// are the server's namespace; Lab.Rebase maps them into a lab.
const (
	ServerConfDir      = "/etc/opt/novell/zenworks"
	ServerSecurityDir  = ServerConfDir + "/security"
	ServerKeystore     = ServerSecurityDir + "/zenca.keystore"
	ServerCaConfig     = ServerSecurityDir + "/CaConfig.xml"
	ServerContentRepo  = "/var/opt/novell/zenworks/content-repo"
	ServerImagesDir    = ServerContentRepo + "/images"
	ServerDatabaseDir  = "/var/opt/novell/zenworks/database"
	ServerZenworksHome = "/opt/novell/zenworks"
	ServerBinDir       = ServerZenworksHome + "/bin"
	ServerInitScript   = "/etc/init.d/novell-zenserver"
	ServerRootHome     = "/root"
	// ServerBackupDir is the folder of the reference's backup examples
	// (/root/zcm_backups/zone_backup.bak). The lab's server has it, empty,
	// as an administrator who follows the reference does.
	ServerBackupDir = ServerRootHome + "/zcm_backups"
	// ServerLogDir is where the fixture files' loggers write.
	ServerLogDir = "/var/opt/novell/log/zenworks"
	// ServerHostsFile is the host's name resolution (the lab's DNS).
	ServerHostsFile = "/etc/hosts"
)

// Server paths of a Windows Primary Server. The installation folder is the
// reference's ZENworks_installation_directory (%zenworks_home%); section
// 2.2 has the installation path point to C:\Program Files (x86).
const (
	WindowsZenworksHome = `C:\Program Files (x86)\Novell\ZENworks`
	WindowsConfDir      = WindowsZenworksHome + `\conf`
	WindowsSecurityDir  = WindowsConfDir + `\security`
	WindowsKeystore     = WindowsSecurityDir + `\zenca.keystore`
	WindowsCaConfig     = WindowsSecurityDir + `\CaConfig.xml`
	WindowsDataModelDir = WindowsConfDir + `\datamodel`
	WindowsContentRepo  = WindowsZenworksHome + `\work\content-repo`
	WindowsImagesDir    = WindowsContentRepo + `\images`
	WindowsDatabaseDir  = WindowsZenworksHome + `\database`
	WindowsBinDir       = WindowsZenworksHome + `\bin`
	WindowsLogDir       = WindowsZenworksHome + `\logs`
	// WindowsBackupDir is the folder of the reference's Windows example
	// (c:\zcm_backups\zone_backup.bak); the lab's server has it, empty.
	WindowsBackupDir = `C:\zcm_backups`
	// WindowsSystemDir holds net.exe; the lab puts its net shim there.
	WindowsSystemDir = `C:\Windows\System32`
	WindowsHostsFile = WindowsSystemDir + `\drivers\etc\hosts`
)

// ZenworksHomeEnv is the variable ZENworks sets on a Windows server to its
// installation folder; definitions write %ZENWORKS_HOME%\... paths.
const ZenworksHomeEnv = "ZENWORKS_HOME"

// The service of the ZENworks Server: its name as the init script and the
// Windows service key know it, and its Windows display name, which
// net.exe also accepts.
const (
	ServiceName        = "novell-zenserver"
	ServiceDisplayName = "Novell ZENworks Server"
)

// Names of the simulated tools, as Exec and the zone's injected failures
// know them.
const (
	ToolZman      = "zman"
	ToolZenserver = ServiceName
	// ToolNet is Windows' net.exe, which a Windows-layout lab simulates for
	// `net stop|start "Novell ZENworks Server"`.
	ToolNet       = "net"
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
