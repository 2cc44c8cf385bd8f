//! Credentials: flags, then `GENAUTH_*` environment variables, then a named
//! profile of the profiles file (`<config dir>/genauth/profiles.json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use genauth_core::SecretString;
use serde::{Deserialize, Serialize};

use crate::Failure;

/// One profile of the profiles file.
#[derive(Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The app id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The app secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<SecretString>,
    /// The app host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_host: Option<String>,
    /// The end user's access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
    /// The end user's refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<SecretString>,
    /// The end user's id token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<SecretString>,
    /// The access key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// The access key secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_secret: Option<SecretString>,
    /// The management API host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The events feed host (`wss://...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket_host: Option<String>,
}

/// The credentials a command runs with, and where they came from.
#[derive(Default, Clone)]
pub struct Creds {
    /// The app id.
    pub app_id: Option<String>,
    /// The app secret.
    pub app_secret: Option<SecretString>,
    /// The app host.
    pub app_host: Option<String>,
    /// The end user's access token.
    pub access_token: Option<SecretString>,
    /// The access key id.
    pub access_key_id: Option<String>,
    /// The access key secret.
    pub access_key_secret: Option<SecretString>,
    /// The management API host.
    pub host: Option<String>,
    /// The events feed host.
    pub websocket_host: Option<String>,
    /// The profile's name.
    pub profile: String,
    /// The profiles file, when there is one.
    pub file: Option<PathBuf>,
}

impl std::fmt::Debug for Creds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Creds")
            .field("app_id", &self.app_id)
            .field("app_host", &self.app_host)
            .field("access_key_id", &self.access_key_id)
            .field("host", &self.host)
            .field("websocket_host", &self.websocket_host)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

/// The directory of the profiles file: `$GENAUTH_CONFIG_DIR`, else the user's
/// config directory (`$XDG_CONFIG_HOME` or `~/.config` on Linux,
/// `~/Library/Application Support` on macOS, `%APPDATA%` on Windows) + `genauth`.
pub fn config_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    if let Some(d) = nonempty("GENAUTH_CONFIG_DIR") {
        return Some(PathBuf::from(d));
    }
    let base = if cfg!(windows) {
        nonempty("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        nonempty("HOME").map(|h| Path::new(&h).join("Library/Application Support"))
    } else {
        nonempty("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| nonempty("HOME").map(|h| Path::new(&h).join(".config")))
    }?;
    Some(base.join("genauth"))
}

/// The profiles file.
pub fn profiles_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    config_dir(env).map(|d| d.join("profiles.json"))
}

/// Refuses a file other users can read (its secrets would be theirs too).
#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Failure::usage(format!(
            "refusing to read the profiles file {}: other users can read or change it (mode {mode:03o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), Failure> {
    Ok(())
}

/// Every profile of the file (none when it does not exist).
pub fn read_profiles(path: &Path) -> Result<BTreeMap<String, Profile>, Failure> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read the profiles file {}: {e}",
                path.display()
            )))
        }
    };
    check_private(path, &meta)?;
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the profiles file {}: {e}",
            path.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "the profiles file {} is not a JSON object of profiles: {e}",
            path.display()
        ))
    })
}

/// Writes the profiles file, readable by its owner only.
#[allow(dead_code)] // used by `login`
pub fn write_profiles(path: &Path, profiles: &BTreeMap<String, Profile>) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::usage(format!(
            "cannot write the profiles file {}: {e}",
            path.display()
        ))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut text =
        serde_json::to_string_pretty(profiles).map_err(|e| Failure::usage(e.to_string()))?;
    text.push('\n');
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    std::io::Write::write_all(&mut f, text.as_bytes()).map_err(fail)
}

impl Creds {
    /// Flags, then environment, then the profile.
    pub fn resolve(m: &ArgMatches, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, Failure> {
        let explicit = m
            .get_one::<String>("profile")
            .cloned()
            .or_else(|| env("GENAUTH_PROFILE").filter(|p| !p.is_empty()));
        let name = explicit.clone().unwrap_or_else(|| "default".to_owned());
        let file = profiles_path(env);
        let profile = match &file {
            Some(path) => {
                let mut all = read_profiles(path)?;
                match all.remove(&name) {
                    Some(p) => p,
                    None if explicit.is_some() => {
                        return Err(Failure::usage(format!(
                            "no profile `{name}` in {}",
                            path.display()
                        )))
                    }
                    None => Profile::default(),
                }
            }
            None if explicit.is_some() => {
                return Err(Failure::usage(format!(
                    "profile `{name}` asked for, but there is no config directory (set HOME or GENAUTH_CONFIG_DIR)"
                )))
            }
            None => Profile::default(),
        };
        let pick = |flag: &str, var: &str, prof: Option<String>| -> Option<String> {
            m.get_one::<String>(flag)
                .cloned()
                .or_else(|| env(var).filter(|v| !v.is_empty()))
                .or(prof)
        };
        let secret = |flag: &str, var: &str, prof: Option<SecretString>| {
            pick(flag, var, prof.map(|s| s.expose().to_owned())).map(SecretString::from)
        };
        Ok(Creds {
            app_id: pick("app-id", "GENAUTH_APP_ID", profile.app_id),
            app_secret: secret("app-secret", "GENAUTH_APP_SECRET", profile.app_secret),
            app_host: pick("app-host", "GENAUTH_APP_HOST", profile.app_host),
            access_token: secret("access-token", "GENAUTH_ACCESS_TOKEN", profile.access_token),
            access_key_id: pick(
                "access-key-id",
                "GENAUTH_ACCESS_KEY_ID",
                profile.access_key_id,
            ),
            access_key_secret: secret(
                "access-key-secret",
                "GENAUTH_ACCESS_KEY_SECRET",
                profile.access_key_secret,
            ),
            host: pick("host", "GENAUTH_HOST", profile.host),
            websocket_host: pick(
                "websocket-host",
                "GENAUTH_WEBSOCKET_HOST",
                profile.websocket_host,
            ),
            profile: name,
            file,
        })
    }

    fn missing(&self, what: &str, flag: &str, var: &str, key: &str) -> Failure {
        let file = self
            .file
            .as_ref()
            .map(|p| format!(" in {}", p.display()))
            .unwrap_or_default();
        Failure::usage(format!(
            "missing credentials: {what}; pass --{flag}, set {var}, or set `{key}` in profile `{}`{file}",
            self.profile
        ))
    }

    /// The authentication client's options.
    pub fn auth_options(&self) -> Result<genauth_core::AuthenticationClientOptions, Failure> {
        let app_id = self.app_id.clone().ok_or_else(|| {
            self.missing(
                "the authentication client needs the app id",
                "app-id",
                "GENAUTH_APP_ID",
                "app_id",
            )
        })?;
        let host = self.app_host.clone().ok_or_else(|| {
            self.missing(
                "the authentication client needs the app host",
                "app-host",
                "GENAUTH_APP_HOST",
                "app_host",
            )
        })?;
        let mut o = genauth_core::AuthenticationClientOptions::new(app_id, host);
        if let Some(s) = &self.app_secret {
            o = o.app_secret(s.clone());
        }
        if let Some(t) = &self.access_token {
            o = o.access_token(t.clone());
        }
        if let Some(w) = &self.websocket_host {
            o = o.websocket_host(w.clone());
        }
        Ok(o)
    }

    /// The management client's options.
    pub fn mgmt_options(&self) -> Result<genauth_core::ManagementClientOptions, Failure> {
        let id = self.access_key_id.clone().ok_or_else(|| {
            self.missing(
                "the management client needs the access key id",
                "access-key-id",
                "GENAUTH_ACCESS_KEY_ID",
                "access_key_id",
            )
        })?;
        let secret = self.access_key_secret.clone().ok_or_else(|| {
            self.missing(
                "the management client needs the access key secret",
                "access-key-secret",
                "GENAUTH_ACCESS_KEY_SECRET",
                "access_key_secret",
            )
        })?;
        let mut o = genauth_core::ManagementClientOptions::new(id, secret);
        if let Some(h) = &self.host {
            o = o.host(h.clone());
        }
        if let Some(w) = &self.websocket_host {
            o = o.websocket_host(w.clone());
        }
        Ok(o)
    }
}
