//! Credentials: the flag, then the `GENAUTH_*` environment variable, then the
//! profile (its plain values in the profiles file, its secrets in the secret
//! store), then the logged-in user's session for the access token.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{Args, Command};
use genauth_core::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::secrets::{self, Secrets};
use crate::Failure;

// The credentials, as flags with their environment variables. Each field's
// name is also its key in a profile. `Debug` prints secrets as `[redacted]`.
// (No doc comment: clap would make it the tool's description.)
#[derive(Args, Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredArgs {
    /// The app id
    #[arg(
        long,
        value_name = "ID",
        env = "GENAUTH_APP_ID",
        hide_env_values = true
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The app secret (a secret)
    #[arg(
        long,
        value_name = "SECRET",
        env = "GENAUTH_APP_SECRET",
        hide_env_values = true
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<SecretString>,
    /// The app host, e.g. https://example.genauth.ai
    #[arg(
        long,
        value_name = "URL",
        env = "GENAUTH_APP_HOST",
        hide_env_values = true
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_host: Option<String>,
    /// The end user's access token (default: the logged-in user's; a secret)
    #[arg(
        long,
        value_name = "TOKEN",
        env = "GENAUTH_ACCESS_TOKEN",
        hide_env_values = true
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
    /// The user pool's access key id
    #[arg(
        long,
        value_name = "ID",
        env = "GENAUTH_ACCESS_KEY_ID",
        hide_env_values = true
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// The access key secret (a secret)
    #[arg(
        long,
        value_name = "SECRET",
        env = "GENAUTH_ACCESS_KEY_SECRET",
        hide_env_values = true
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_secret: Option<SecretString>,
    /// The management API host (default https://api.genauth.ai)
    #[arg(long, value_name = "URL", env = "GENAUTH_HOST", hide_env_values = true)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The events feed host (default wss://events.genauth.ai)
    #[arg(
        long,
        value_name = "URL",
        env = "GENAUTH_WEBSOCKET_HOST",
        hide_env_values = true
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket_host: Option<String>,
}

/// The keys of a profile: the credentials' flags with `-` as `_`.
pub fn keys() -> Vec<String> {
    CredArgs::augment_args(Command::new("x"))
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .collect()
}

/// Whether a profile key holds a secret (kept in the secret store, never printed).
pub fn is_secret(key: &str) -> bool {
    key.ends_with("secret") || key.ends_with("token")
}

impl CredArgs {
    fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }

    fn from_map(map: Map<String, Value>, what: &str) -> Result<Self, Failure> {
        serde_json::from_value(Value::Object(map))
            .map_err(|e| Failure::usage(format!("{what}: {e}")))
    }

    /// Sets each missing value that `lookup` finds by key.
    pub fn fill_missing(&mut self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<(), Failure> {
        let mut map = self.to_map();
        let mut changed = false;
        for key in keys() {
            if !map.contains_key(&key) {
                if let Some(v) = lookup(&key) {
                    map.insert(key, Value::String(v));
                    changed = true;
                }
            }
        }
        if changed {
            *self = Self::from_map(map, "the credentials")?;
        }
        Ok(())
    }
}

/// The credentials a command runs with, and where they came from.
#[derive(Default, Clone)]
pub struct Creds {
    /// The values.
    pub args: CredArgs,
    /// The profile's name.
    pub profile: String,
    /// The profiles file, when there is a config directory.
    pub file: Option<PathBuf>,
    /// The config directory.
    pub dir: Option<PathBuf>,
    /// The secret store the profile names (`keyring` or `file`).
    pub store: Option<String>,
    /// The logged-in user's session, when the access token is its (so it
    /// may be refreshed).
    pub session: Option<crate::session::Session>,
}

impl std::ops::Deref for Creds {
    type Target = CredArgs;
    fn deref(&self) -> &CredArgs {
        &self.args
    }
}

impl std::ops::DerefMut for Creds {
    fn deref_mut(&mut self) -> &mut CredArgs {
        &mut self.args
    }
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

/// One profile of the profiles file: plain values by key, and where its
/// secrets are kept (`secret_store`: `keyring` or `file`).
pub type Profile = BTreeMap<String, String>;

/// The key that names the store of a profile's secrets.
pub const STORE_KEY: &str = "secret_store";
/// Keys an older version wrote; read, and moved to the secret store on the next write.
const LEGACY_KEYS: &[&str] = &["refresh_token", "id_token"];

/// The profiles file and the file naming the profile in use.
#[derive(Debug, Clone)]
pub struct ProfilesFile {
    /// `<config dir>/profiles.json`.
    pub path: PathBuf,
}

impl ProfilesFile {
    /// The profiles file of the config directory.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join("profiles.json"),
        }
    }

    fn current_path(&self) -> PathBuf {
        self.path.with_file_name("current-profile")
    }

    /// Every profile (none when the file does not exist).
    pub fn read(&self) -> Result<BTreeMap<String, Profile>, Failure> {
        let Some(text) = secrets::read_private(&self.path, "the profiles file")? else {
            return Ok(BTreeMap::new());
        };
        let all: BTreeMap<String, Map<String, Value>> =
            serde_json::from_str(&text).map_err(|e| {
                Failure::usage(format!(
                    "the profiles file {} is not a JSON object of profiles: {e}",
                    self.path.display()
                ))
            })?;
        let known = keys();
        let mut out = BTreeMap::new();
        for (name, entries) in all {
            let mut p = Profile::new();
            for (k, v) in entries {
                let ok = known.contains(&k) || LEGACY_KEYS.contains(&k.as_str()) || k == STORE_KEY;
                let Value::String(v) = v else {
                    return Err(Failure::usage(format!(
                        "the profiles file {}: profile `{name}`: `{k}` must be a string",
                        self.path.display()
                    )));
                };
                if !ok {
                    return Err(Failure::usage(format!(
                        "the profiles file {}: profile `{name}`: unknown key `{k}` (known: {})",
                        self.path.display(),
                        known.join(", ")
                    )));
                }
                p.insert(k, v);
            }
            out.insert(name, p);
        }
        Ok(out)
    }

    /// Writes every profile (readable by the owner only, replaced atomically).
    pub fn write(&self, profiles: &BTreeMap<String, Profile>) -> Result<(), Failure> {
        let mut text =
            serde_json::to_string_pretty(profiles).map_err(|e| Failure::usage(e.to_string()))?;
        text.push('\n');
        secrets::write_private(&self.path, text.as_bytes(), "the profiles file")
    }

    /// The profile chosen by `genauth profiles use`.
    pub fn current(&self) -> Result<Option<String>, Failure> {
        Ok(
            secrets::read_private(&self.current_path(), "the current-profile file")?
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
        )
    }

    /// Makes `name` the profile in use.
    pub fn set_current(&self, name: &str) -> Result<(), Failure> {
        secrets::write_private(
            &self.current_path(),
            format!("{name}\n").as_bytes(),
            "the current-profile file",
        )
    }
}

/// The name of the profile in use: `--profile` / `GENAUTH_PROFILE`, else the
/// one `genauth profiles use` chose, else `default`; and whether it was asked for.
pub fn profile_name(
    explicit: Option<&str>,
    file: Option<&ProfilesFile>,
) -> Result<(String, bool), Failure> {
    if let Some(p) = explicit {
        return Ok((p.to_owned(), true));
    }
    if let Some(current) = file.map(ProfilesFile::current).transpose()?.flatten() {
        return Ok((current, true));
    }
    Ok(("default".to_owned(), false))
}

impl Creds {
    /// The flags and environment in `given`, then the profile, then its
    /// secrets, then the logged-in user's access token.
    pub fn resolve(
        given: &CredArgs,
        explicit_profile: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
        vaults: &mut secrets::Vaults,
        must_exist: bool,
    ) -> Result<Self, Failure> {
        let dir = config_dir(env);
        let file = dir.as_deref().map(ProfilesFile::in_dir);
        let (name, explicit) = profile_name(explicit_profile, file.as_ref())?;
        let profile = match &file {
            Some(f) => match f.read()?.remove(&name) {
                Some(p) => p,
                None if explicit && must_exist => {
                    return Err(Failure::usage(format!(
                        "no profile `{name}` in {}",
                        f.path.display()
                    )))
                }
                None => Profile::new(),
            },
            None if explicit && must_exist => {
                return Err(Failure::usage(format!(
                    "profile `{name}` asked for, but there is no config directory (set HOME or GENAUTH_CONFIG_DIR)"
                )))
            }
            None => Profile::new(),
        };
        let mut args = given.clone();
        args.fill_missing(&|k| profile.get(k).cloned())?;
        let mut session = None;
        if let Some(store) = profile.get(STORE_KEY) {
            let missing = keys()
                .into_iter()
                .filter(|k| is_secret(k))
                .any(|k| !args.to_map().contains_key(&k));
            if missing {
                let vault = vaults.named(store, dir.as_deref())?;
                let secrets: Secrets = vault.load(&name)?;
                args.fill_missing(&|k| secrets.values.get(k).map(|s| s.expose().to_owned()))?;
                if args.access_token.is_none() {
                    if let Some(s) = secrets.session {
                        args.access_token = Some(s.access_token.clone());
                        session = Some(s);
                    }
                }
            }
        }
        Ok(Creds {
            args,
            profile: name,
            file: file.map(|f| f.path),
            store: profile.get(STORE_KEY).cloned(),
            dir,
            session,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_credential_is_a_profile_key_with_an_environment_variable() {
        let cmd = CredArgs::augment_args(Command::new("x"));
        let vars = crate::global::env_vars(&cmd);
        assert_eq!(vars.len(), keys().len());
        for (key, var) in vars {
            assert_eq!(var, format!("GENAUTH_{}", key.to_ascii_uppercase()));
        }
        let secret: Vec<String> = keys().into_iter().filter(|k| is_secret(k)).collect();
        assert_eq!(secret, ["app_secret", "access_token", "access_key_secret"]);
    }

    #[test]
    fn fill_missing_keeps_given_values() {
        let mut a = CredArgs {
            app_id: Some("flag".into()),
            ..Default::default()
        };
        a.fill_missing(&|k| Some(format!("env-{k}"))).unwrap();
        assert_eq!(a.app_id.as_deref(), Some("flag"));
        assert_eq!(a.host.as_deref(), Some("env-host"));
        assert_eq!(a.app_secret.as_ref().unwrap().expose(), "env-app_secret");
    }
}
