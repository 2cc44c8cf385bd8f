//! `genauth profiles list|show|use|set|delete`, and the one way a profile and
//! its secrets are changed.

use std::path::Path;

use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};

use super::{Cmd, Cx, Parent};
use crate::creds::{self, config_dir, is_secret, Profile, ProfilesFile, STORE_KEY};
use crate::output::Format;
use crate::secrets::Secrets;
use crate::Failure;

/// Changes profile `name` and its secrets with `change`, then writes the
/// profiles file (no secret in it) and the secrets (to the keyring, or the
/// file where no keyring is reachable). Secrets an older version kept in the
/// profiles file move to the secret store. Returns where the secrets are.
pub fn update_profile(
    cx: &mut Cx<'_, '_>,
    dir: &Path,
    name: &str,
    change: impl FnOnce(&mut Profile, &mut Secrets) -> Result<(), Failure>,
) -> Result<Option<String>, Failure> {
    let file = ProfilesFile::in_dir(dir);
    let mut all = file.read()?;
    let mut profile = all.remove(name).unwrap_or_default();
    let old = match profile.get(STORE_KEY) {
        Some(s) => Some(cx.vaults().named(s, Some(dir))?),
        None => None,
    };
    let mut secrets = match &old {
        Some(v) => v.load(name)?,
        None => Secrets::default(),
    };
    let keys = creds::keys();
    profile.retain(|k, v| {
        if !is_secret(k) {
            return true;
        }
        if keys.contains(k) {
            secrets
                .values
                .entry(k.clone())
                .or_insert_with(|| v.as_str().into());
        }
        false
    });
    change(&mut profile, &mut secrets)?;
    let mut place = None;
    if secrets.is_empty() {
        if let Some(v) = &old {
            v.delete(name)?;
        }
        profile.remove(STORE_KEY);
    } else {
        let env = cx.io.env;
        let err = &mut *cx.io.err;
        let store_cache = cx
            .store_cache
            .get_or_insert_with(|| crate::secrets::Vaults::new(env));
        let target = store_cache.for_writing(Some(dir), err)?;
        target.save(name, &secrets)?;
        if let Some(v) = old.filter(|v| v.name() != target.name()) {
            v.delete(name)?;
        }
        profile.insert(STORE_KEY.into(), target.name().into());
        place = Some(target.describe());
    }
    all.insert(name.to_owned(), profile);
    file.write(&all)?;
    Ok(place)
}

fn dir_of(cx: &Cx<'_, '_>) -> Result<std::path::PathBuf, Failure> {
    config_dir(cx.io.env).ok_or_else(|| {
        Failure::usage("there is no config directory for profiles (set HOME or GENAUTH_CONFIG_DIR)")
    })
}

/// List, show, choose, set and delete profiles (secrets stay in the keyring)
#[derive(Args, Debug)]
pub struct Profiles {
    #[command(subcommand)]
    what: ProfilesCommand,
}

#[derive(Subcommand, Debug)]
enum ProfilesCommand {
    /// List the profiles (no secrets)
    List,
    /// Show a profile: its values, which secrets are set and where, and the login (never a secret)
    Show {
        /// The profile (default: the one in use)
        name: Option<String>,
    },
    /// Use this profile from now on (`--profile` and GENAUTH_PROFILE still win)
    Use {
        /// The profile
        name: String,
    },
    /// Set values of a profile: `KEY=VALUE`; `KEY=-` reads the value from stdin
    /// (for secrets, which then go to the keyring)
    Set {
        /// The profile
        name: String,
        /// `app_id=...`, `app_secret=-`, `host=...`, ... (the keys are the credential flags with `_`)
        #[arg(value_name = "KEY=VALUE", required = true)]
        values: Vec<String>,
        /// Remove these keys
        #[arg(long, value_name = "KEY")]
        unset: Vec<String>,
    },
    /// Delete a profile and its secrets
    Delete {
        /// The profile
        name: String,
    },
}

fn row(name: &str, p: &Profile, current: bool) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    m.insert("current".into(), json!(current));
    for k in creds::keys().iter().filter(|k| !is_secret(k)) {
        m.insert(k.clone(), p.get(k).map_or(Value::Null, |v| json!(v)));
    }
    m.insert(
        STORE_KEY.into(),
        p.get(STORE_KEY).map_or(Value::Null, |v| json!(v)),
    );
    Value::Object(m)
}

impl Cmd for Profiles {
    const NAME: &'static str = "profiles";
    const PARENTS: &'static [Parent] = &[Parent::Top];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let dir = dir_of(cx)?;
        let file = ProfilesFile::in_dir(&dir);
        match self.what {
            ProfilesCommand::List => {
                let current = creds::profile_name(cx.global.profile.as_deref(), Some(&file))?.0;
                let rows: Vec<Value> = file
                    .read()?
                    .iter()
                    .map(|(n, p)| row(n, p, *n == current))
                    .collect();
                cx.print_as(Format::Table, &Value::Array(rows))
            }
            ProfilesCommand::Show { name } => {
                let name = match name {
                    Some(n) => n,
                    None => creds::profile_name(cx.global.profile.as_deref(), Some(&file))?.0,
                };
                let all = file.read()?;
                let p = all.get(&name).ok_or_else(|| {
                    Failure::usage(format!("no profile `{name}` in {}", file.path.display()))
                })?;
                let current = creds::profile_name(None, Some(&file))?.0 == name;
                let mut out = row(&name, p, current);
                let secrets = match p.get(STORE_KEY) {
                    Some(s) => cx.vaults().named(s, Some(&dir))?.load(&name)?,
                    None => Secrets::default(),
                };
                let m = out.as_object_mut().expect("a row is an object");
                for k in creds::keys().iter().filter(|k| is_secret(k)) {
                    let set = secrets.values.contains_key(k) || p.contains_key(k);
                    m.insert(k.clone(), json!(if set { "[set]" } else { "[not set]" }));
                }
                m.insert(
                    "login".into(),
                    match &secrets.session {
                        Some(s) => json!({
                            "sub": s.sub,
                            "expires_at": s.expires_at,
                            "refresh_token": if s.refresh_token.is_some() { "[set]" } else { "[not set]" },
                        }),
                        None => Value::Null,
                    },
                );
                cx.print(&out)
            }
            ProfilesCommand::Use { name } => {
                if !file.read()?.contains_key(&name) {
                    return Err(Failure::usage(format!(
                        "no profile `{name}` in {}; create it with `genauth profiles set {name} KEY=VALUE`",
                        file.path.display()
                    )));
                }
                file.set_current(&name)?;
                cx.print(&json!({ "current": name }))
            }
            ProfilesCommand::Set {
                name,
                values,
                unset,
            } => {
                let keys = creds::keys();
                let mut pairs = Vec::new();
                let mut stdin_used = false;
                for kv in values {
                    let (k, v) = kv
                        .split_once('=')
                        .ok_or_else(|| Failure::usage(format!("`{kv}` is not KEY=VALUE")))?;
                    if !keys.iter().any(|x| x == k) {
                        return Err(Failure::usage(format!(
                            "unknown key `{k}`; the keys are {}",
                            keys.join(", ")
                        )));
                    }
                    let v = if v == "-" {
                        if stdin_used {
                            return Err(Failure::usage("only one value can come from stdin"));
                        }
                        stdin_used = true;
                        let mut s = String::new();
                        cx.io
                            .stdin
                            .read_to_string(&mut s)
                            .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
                        s.trim_end_matches(['\r', '\n']).to_owned()
                    } else {
                        v.to_owned()
                    };
                    if v.is_empty() {
                        return Err(Failure::usage(format!(
                            "`{k}` is empty; use --unset {k} to remove it"
                        )));
                    }
                    pairs.push((k.to_owned(), v));
                }
                for k in &unset {
                    if !keys.contains(k) {
                        return Err(Failure::usage(format!("unknown key `{k}`")));
                    }
                }
                let place = update_profile(cx, &dir, &name, |p, s| {
                    for k in &unset {
                        p.remove(k);
                        s.values.remove(k);
                    }
                    for (k, v) in pairs {
                        if is_secret(&k) {
                            s.values.insert(k, v.into());
                        } else {
                            p.insert(k, v);
                        }
                    }
                    Ok(())
                })?;
                cx.print(&json!({ "profile": name, "secrets": place }))
            }
            ProfilesCommand::Delete { name } => {
                let mut all = file.read()?;
                let Some(p) = all.remove(&name) else {
                    return Err(Failure::usage(format!(
                        "no profile `{name}` in {}",
                        file.path.display()
                    )));
                };
                if let Some(s) = p.get(STORE_KEY) {
                    cx.vaults().named(s, Some(&dir))?.delete(&name)?;
                }
                file.write(&all)?;
                if file.current()?.as_deref() == Some(name.as_str()) {
                    let _ = std::fs::remove_file(dir.join("current-profile"));
                }
                cx.print(&json!({ "deleted": name }))
            }
        }
    }
}
