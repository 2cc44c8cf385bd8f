//! Secrets at rest: the app secret, the access key secret and the logged-in
//! user's tokens, per profile, in the OS keyring (Secret Service, macOS
//! Keychain, Windows Credential Manager), or, where no keyring is reachable, in
//! `secrets.json` beside the profiles file, readable by its owner only.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use genauth_core::SecretString;
use serde::{Deserialize, Serialize};

use crate::session::Session;
use crate::Failure;

/// The keyring service name of the entries.
pub const KEYRING_SERVICE: &str = "genauth-cli";
/// The environment variable that picks the store: `keyring`, `file`, or unset
/// (the keyring when one is reachable, else the file).
pub const STORE_VAR: &str = "GENAUTH_SECRET_STORE";

/// One profile's secrets.
#[derive(Default, Clone, Serialize, Deserialize)]
pub struct Secrets {
    /// Credentials by profile key (`app_secret`, `access_key_secret`).
    #[serde(flatten)]
    pub values: BTreeMap<String, SecretString>,
    /// The logged-in user's tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
}

impl Secrets {
    /// Whether there is nothing to keep.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.session.is_none()
    }
}

/// Refuses a file other users can read (its secrets would be theirs too).
#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata, what: &str) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Failure::usage(format!(
            "refusing to read {what} {}: other users can read or change it (mode {mode:03o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata, _what: &str) -> Result<(), Failure> {
    Ok(())
}

/// A private file's text; `None` when it does not exist.
pub fn read_private(path: &Path, what: &str) -> Result<Option<String>, Failure> {
    let fail =
        |e: std::io::Error| Failure::usage(format!("cannot read {what} {}: {e}", path.display()));
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(e)),
    };
    check_private(path, &meta, what)?;
    std::fs::read_to_string(path).map(Some).map_err(fail)
}

/// Writes a file readable by its owner only (mode 600 on Unix): the bytes
/// go to a new file beside it, which then replaces it, so a reader sees the
/// old file or the new one, never a part.
pub fn write_private(path: &Path, bytes: &[u8], what: &str) -> Result<(), Failure> {
    let fail =
        |e: std::io::Error| Failure::usage(format!("cannot write {what} {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // A directory made here for secrets: owner only.
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
        }
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("genauth");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

/// Where a profile's secrets are kept.
pub enum Vault {
    /// The OS keyring: one entry per profile.
    Keyring,
    /// A JSON file of profiles' secrets, owner only.
    File(PathBuf),
}

fn keyring_fail(what: &str, e: keyring::Error) -> Failure {
    Failure::usage(format!("cannot {what} the OS keyring: {e}"))
}

impl Vault {
    /// The name written in the profile (`keyring` or `file`).
    pub fn name(&self) -> &'static str {
        match self {
            Vault::Keyring => "keyring",
            Vault::File(_) => "file",
        }
    }

    /// Where, in words.
    pub fn describe(&self) -> String {
        match self {
            Vault::Keyring => format!("the OS keyring (service `{KEYRING_SERVICE}`)"),
            Vault::File(p) => format!("{} (readable by you only)", p.display()),
        }
    }

    fn read_file(path: &Path) -> Result<BTreeMap<String, Secrets>, Failure> {
        match read_private(path, "the secrets file")? {
            None => Ok(BTreeMap::new()),
            Some(text) => serde_json::from_str(&text).map_err(|e| {
                Failure::usage(format!(
                    "the secrets file {} is not a JSON object of profiles: {}",
                    path.display(),
                    e.classify_word()
                ))
            }),
        }
    }

    fn write_file(path: &Path, all: &BTreeMap<String, Secrets>) -> Result<(), Failure> {
        let text = serde_json::to_vec_pretty(all).map_err(|e| Failure::usage(e.to_string()))?;
        write_private(path, &text, "the secrets file")
    }

    /// A profile's secrets (none stored: empty).
    pub fn load(&self, profile: &str) -> Result<Secrets, Failure> {
        match self {
            Vault::Keyring => {
                let entry = keyring::Entry::new(KEYRING_SERVICE, profile)
                    .map_err(|e| keyring_fail("open", e))?;
                match entry.get_password() {
                    Ok(text) => serde_json::from_str(&text).map_err(|e| {
                        Failure::usage(format!(
                            "the keyring entry of profile `{profile}` is not what genauth wrote: {}",
                            e.classify_word()
                        ))
                    }),
                    Err(keyring::Error::NoEntry) => Ok(Secrets::default()),
                    Err(e) => Err(keyring_fail("read", e)),
                }
            }
            Vault::File(path) => Ok(Self::read_file(path)?.remove(profile).unwrap_or_default()),
        }
    }

    /// Replaces a profile's secrets (an empty set deletes them).
    pub fn save(&self, profile: &str, secrets: &Secrets) -> Result<(), Failure> {
        if secrets.is_empty() {
            return self.delete(profile);
        }
        match self {
            Vault::Keyring => {
                let text =
                    serde_json::to_string(secrets).map_err(|e| Failure::usage(e.to_string()))?;
                keyring::Entry::new(KEYRING_SERVICE, profile)
                    .and_then(|e| e.set_password(&text))
                    .map_err(|e| keyring_fail("write to", e))
            }
            Vault::File(path) => {
                let mut all = Self::read_file(path)?;
                all.insert(profile.to_owned(), secrets.clone());
                Self::write_file(path, &all)
            }
        }
    }

    /// Deletes a profile's secrets.
    pub fn delete(&self, profile: &str) -> Result<(), Failure> {
        match self {
            Vault::Keyring => {
                let entry = keyring::Entry::new(KEYRING_SERVICE, profile)
                    .map_err(|e| keyring_fail("open", e))?;
                match entry.delete_credential() {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(keyring_fail("delete from", e)),
                }
            }
            Vault::File(path) => {
                let mut all = Self::read_file(path)?;
                if all.remove(profile).is_some() {
                    Self::write_file(path, &all)?;
                }
                Ok(())
            }
        }
    }
}

trait ClassifyWord {
    fn classify_word(&self) -> String;
}

impl ClassifyWord for serde_json::Error {
    /// Where the JSON is wrong, without an excerpt (it may hold a secret).
    fn classify_word(&self) -> String {
        format!(
            "{:?} error at line {} column {}",
            self.classify(),
            self.line(),
            self.column()
        )
    }
}

/// Opens the stores for one run, and says once on stderr when secrets go to
/// the file because no keyring is reachable.
#[derive(Default)]
pub struct Vaults {
    /// The fallback was announced.
    pub announced: bool,
    /// The environment's choice (`GENAUTH_SECRET_STORE`).
    pub choice: Option<String>,
}

impl Vaults {
    /// The stores as `env` chooses them.
    pub fn new(env: &dyn Fn(&str) -> Option<String>) -> Self {
        Self {
            announced: false,
            choice: env(STORE_VAR).filter(|v| !v.is_empty()),
        }
    }

    /// The store a profile names (`keyring` or `file`).
    pub fn named(&mut self, name: &str, dir: Option<&Path>) -> Result<Vault, Failure> {
        match name {
            "keyring" => Ok(Vault::Keyring),
            "file" => {
                let dir = dir.ok_or_else(|| {
                    Failure::usage(
                        "no config directory for the secrets file (set HOME or GENAUTH_CONFIG_DIR)",
                    )
                })?;
                Ok(Vault::File(dir.join("secrets.json")))
            }
            other => Err(Failure::usage(format!(
                "unknown secret store `{other}`: expected `keyring` or `file`"
            ))),
        }
    }

    /// The store new secrets go to: `GENAUTH_SECRET_STORE`, else the keyring
    /// when it answers, else the file (said once on `err`).
    pub fn for_writing(
        &mut self,
        dir: Option<&Path>,
        err: &mut dyn std::io::Write,
    ) -> Result<Vault, Failure> {
        if let Some(choice) = self.choice.clone() {
            return self.named(&choice, dir);
        }
        match keyring_reachable() {
            Ok(()) => Ok(Vault::Keyring),
            Err(why) => {
                let vault = self.named("file", dir)?;
                if !self.announced {
                    self.announced = true;
                    let _ = writeln!(
                        err,
                        "genauth: no OS keyring is reachable ({why}); secrets are kept in {}",
                        vault.describe()
                    );
                }
                Ok(vault)
            }
        }
    }
}

/// Whether the OS keyring answers: a read of an entry that is not there
/// must say "no entry".
fn keyring_reachable() -> Result<(), String> {
    let entry =
        keyring::Entry::new(KEYRING_SERVICE, "genauth-cli-probe").map_err(|e| e.to_string())?;
    match entry.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("genauth-secrets-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn the_file_store_keeps_profiles_apart_and_private() {
        let dir = tmpdir("file");
        let vault = Vault::File(dir.join("secrets.json"));
        let mut a = Secrets::default();
        a.values.insert("app_secret".into(), "s-a".into());
        vault.save("a", &a).unwrap();
        let mut b = Secrets::default();
        b.values.insert("access_key_secret".into(), "s-b".into());
        vault.save("b", &b).unwrap();
        assert_eq!(
            vault.load("a").unwrap().values["app_secret"].expose(),
            "s-a"
        );
        assert_eq!(
            vault.load("b").unwrap().values["access_key_secret"].expose(),
            "s-b"
        );
        assert!(vault.load("c").unwrap().is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.join("secrets.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["secrets.json"]);
        vault.delete("a").unwrap();
        assert!(vault.load("a").unwrap().is_empty());
        assert!(!vault.load("b").unwrap().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_secrets_file_others_can_read_is_refused_without_its_content() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tmpdir("open");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secrets.json");
        std::fs::write(&path, r#"{"a":{"app_secret":"hunter2"}}"#).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = match Vault::File(path.clone()).load("a") {
            Err(e) => e,
            Ok(_) => panic!("a file others can read is refused"),
        };
        assert!(e.message.contains("chmod 600"), "{}", e.message);
        assert!(!e.message.contains("hunter2"));
        // A malformed file is named, not quoted.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, r#"{"a": "hunter2"#).unwrap();
        let e = match Vault::File(path).load("a") {
            Err(e) => e,
            Ok(_) => panic!("malformed"),
        };
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unknown_store_name_is_refused() {
        let mut v = Vaults::default();
        assert!(v.named("vault9", None).is_err());
        assert!(v.named("file", None).is_err());
        assert_eq!(v.named("keyring", None).unwrap().name(), "keyring");
    }
}
