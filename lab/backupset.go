package lab

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// linuxBackupItems is the reference's list of what `zman zenserver-backup`
// stores on Linux (section 1.1), relative to etc/opt/novell/zenworks; a
// trailing slash marks a folder.
func linuxBackupItems() []string {
	return []string{
		"components.properties", "zenworks.properties", "monitor.conf", "version.txt",
		"database-migration.properties", "initial-web-service", "ZenServerVersion.xml",
		"primary_server_version.txt", "DeviceData", "DeviceGuid", "ippman.conf",
		"zenworks_database.conf", "guid.txt", "lpm-server.properties",
		"logger-server-conf.xml", "novell-zenworks-configure.properties",
		"logger-zman-conf.xml", "zenworks.uninstall.logger.config",
		"security/", "datamodel/", "casa/", "fde/", "loader/", "loader-logging/",
		"preboot/", "puppet/", "quicktask/", "services/", "zman/properties/",
		"server.xml", "casa/server.xml",
		"extcasa/WEB-INF/classes/casa_crypto.properties",
		"casa/WEB-INF/classes/casa_crypto.properties",
		"zentruststore/",
	}
}

// windowsBackupItems is the reference's list of what `zman
// zenserver-backup` stores on Windows (section 1.1), relative to
// ZENworks_installation_directory\conf, in the same form. The list's
// "PolicyHandlersRegistration.xml/" and "services" are taken as written:
// a walk stores a file or a folder alike.
func windowsBackupItems() []string {
	return []string{
		"ActionHandlersRegistration.xml", "ActionUndoHandlersRegistration.xml",
		"components.properties", "database-migration.properties", "DeviceData", "DeviceGuid",
		"DLUPolicyHandlerRegistration.xml", "guid.txt", "initial-web-service", "ippman.conf",
		"LCPRegistration.xml", "logger-server-conf.xml", "logger-zman-conf.xml",
		"logger-zmd-conf.xml", "logger.xsl", "lpm-server.properties", "monitor.conf",
		"novell-rm-audit.xml", "novell-rm-setting.ini", "novell-zenworks-configure.properties",
		"PolicyHandlersRegistration.xml/", "zman/properties/", "primary_server_version.dll",
		"RMHandlerRegistration.xml", "WGPRegistration.xml", "ZenMemoryCache.config",
		"ZenServerVersion.xml", "zenworks.uninstall.logger.config", "zenworks_database.conf",
		"security/", "datamodel/", "casa/", "fde/", "loader/", "loader-logging/", "pmconfig/",
		"preboot/", "quicktask/", "RMPolicy/", "Satellite/", "services",
		"server.xml", "casa/server.xml",
		"extcasa/WEB-INF/classes/casa_crypto.properties",
		"casa/WEB-INF/classes/casa_crypto.properties",
	}
}

// backupItems is the list of the platform's.
func backupItems(platform string) []string {
	if platform == PlatformWindows {
		return windowsBackupItems()
	}
	return linuxBackupItems()
}

// linuxBackupExclusions are the reference's "not stored" entries that lie
// inside a stored folder (the list's "datamode/lauthsources" is read as
// datamodel/authsources). The Windows list has the same three inside a
// stored folder; its other "not stored" entries lie outside every stored
// item.
func backupExclusions() []string {
	return []string{"datamodel/authsources", "datamodel/cache", "datamodel/default"}
}

// backupFiles lists the regular files under confDir that a server backup
// of the platform stores, as slash-separated paths relative to confDir,
// sorted and without duplicates. Items the server lacks are skipped, as
// zman does.
func backupFiles(confDir, platform string) ([]string, error) {
	excluded := func(rel string) bool {
		for _, x := range backupExclusions() {
			if rel == x || strings.HasPrefix(rel, x+"/") {
				return true
			}
		}
		return false
	}
	seen := map[string]bool{}
	for _, item := range backupItems(platform) {
		root := strings.TrimSuffix(item, "/")
		err := filepath.WalkDir(filepath.Join(confDir, filepath.FromSlash(root)), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			rel, err := filepath.Rel(confDir, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if excluded(rel) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && !isTempName(path.Base(rel)) {
				seen[rel] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(seen))
	for rel := range seen {
		out = append(out, rel)
	}
	sort.Strings(out)
	return out, nil
}

// isTempName spots writeAtomic's leftovers, which belong to no backup.
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp")
}

func fileMode(p string) os.FileMode {
	fi, err := os.Stat(p)
	if err != nil {
		return 0o644
	}
	return fi.Mode().Perm()
}
