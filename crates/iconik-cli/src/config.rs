//! Where the base URL and credentials come from: flags, profiles in a TOML
//! file, environment variables, defaults.
//!
//! Each setting is taken from the first of these that has it:
//!
//! 1. its flag (`--base-url`, `--app-id`, `--auth-token`);
//! 2. the profile chosen explicitly (`--profile NAME` or `ICONIK_PROFILE`);
//! 3. its environment variable (`ICONIK_BASE_URL`, `ICONIK_APP_ID`,
//!    `ICONIK_AUTH_TOKEN`);
//! 4. the config file's default profile (`default_profile = "NAME"`, else
//!    the profile named `default`), when there is one;
//! 5. for the base URL only, `https://app.iconik.io`.
//!
//! The file is `ICONIK_CONFIG` when set, else `iconik/config.toml` in the
//! platform's config directory.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::exit::Failure;

/// The config file's shape.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One `[profiles.NAME]` table.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct Profile {
    base_url: Option<String>,
    app_id: Option<String>,
    auth_token: Option<String>,
}

/// What the command line said about configuration.
#[derive(Default, Clone)]
pub struct Flags {
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--app-id`.
    pub app_id: Option<String>,
    /// `--auth-token`.
    pub auth_token: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A profile of the config file.
    Profile(String),
    /// The built-in default.
    Default,
    /// The in-process emulator (`--emulator`).
    Emulator,
    /// Nowhere: the setting is missing.
    Unset,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(var) => write!(f, "environment variable {var}"),
            Source::Profile(name) => write!(f, "profile {name:?}"),
            Source::Default => f.write_str("default"),
            Source::Emulator => f.write_str("--emulator"),
            Source::Unset => f.write_str("not set"),
        }
    }
}

/// One resolved setting.
#[derive(Clone)]
pub struct Setting {
    /// The value, when set.
    pub value: Option<String>,
    /// Where it came from.
    pub source: Source,
}

/// The settings in effect. `Debug` never shows the token.
#[derive(Clone)]
pub struct Settings {
    /// The config file consulted.
    pub config_path: Option<PathBuf>,
    /// Whether it exists.
    pub config_found: bool,
    /// Profiles the file defines.
    pub profiles: Vec<String>,
    /// The profile in use and why, if any.
    pub profile: Option<(String, Source)>,
    /// The API's base URL.
    pub base_url: Setting,
    /// The App-ID.
    pub app_id: Setting,
    /// The Auth-Token (never printed).
    pub auth_token: Setting,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("config_path", &self.config_path)
            .field("profile", &self.profile)
            .field("base_url", &self.base_url.value)
            .field("app_id", &self.app_id.value)
            .field("auth_token", &"[redacted]")
            .finish()
    }
}

/// The default config file location, `<config dir>/iconik/config.toml`.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("iconik").join("config.toml"))
}

/// Resolves the settings from `flags`, the environment (read through
/// `env`) and the config file.
///
/// # Errors
/// A configuration failure for an unreadable or malformed config file, or
/// a profile that was asked for and does not exist.
pub fn resolve(flags: &Flags, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, Failure> {
    let config_path = env("ICONIK_CONFIG")
        .map(PathBuf::from)
        .or_else(default_config_path);
    let (file, found) = match &config_path {
        Some(path) => read_file(path)?,
        None => (ConfigFile::default(), false),
    };
    let profiles: Vec<String> = file.profiles.keys().cloned().collect();

    let explicit = match (&flags.profile, env("ICONIK_PROFILE")) {
        (Some(name), _) => Some((name.clone(), Source::Flag("--profile"))),
        (None, Some(name)) => Some((name, Source::Env("ICONIK_PROFILE"))),
        (None, None) => None,
    };
    let explicit_profile = match &explicit {
        Some((name, _)) => Some(file.profiles.get(name).cloned().ok_or_else(|| {
            let place = config_path
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "the config file".into());
            let known = if profiles.is_empty() {
                "none".to_owned()
            } else {
                profiles.join(", ")
            };
            Failure::config(format!(
                "profile {name:?} is not defined in {place} (profiles: {known})"
            ))
        })?),
        None => None,
    };
    let default_name = file.default_profile.clone().or_else(|| {
        file.profiles
            .contains_key("default")
            .then(|| "default".into())
    });
    let default_profile = match &default_name {
        Some(name) if explicit.is_none() => {
            Some(file.profiles.get(name).cloned().ok_or_else(|| {
                Failure::config(format!(
                    "default_profile {name:?} is not defined in the config file"
                ))
            })?)
        }
        _ => None,
    };

    let pick = |flag: &Option<String>,
                flag_name: &'static str,
                var: &'static str,
                field: fn(&Profile) -> &Option<String>|
     -> Setting {
        let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        if let Some(v) = non_empty(flag) {
            return Setting {
                value: Some(v),
                source: Source::Flag(flag_name),
            };
        }
        if let (Some(p), Some((name, _))) = (&explicit_profile, &explicit) {
            if let Some(v) = non_empty(field(p)) {
                return Setting {
                    value: Some(v),
                    source: Source::Profile(name.clone()),
                };
            }
        }
        if let Some(v) = env(var).filter(|s| !s.is_empty()) {
            return Setting {
                value: Some(v),
                source: Source::Env(var),
            };
        }
        if let (Some(p), Some(name)) = (&default_profile, &default_name) {
            if let Some(v) = non_empty(field(p)) {
                return Setting {
                    value: Some(v),
                    source: Source::Profile(name.clone()),
                };
            }
        }
        Setting {
            value: None,
            source: Source::Unset,
        }
    };

    let mut base_url = pick(&flags.base_url, "--base-url", "ICONIK_BASE_URL", |p| {
        &p.base_url
    });
    if base_url.value.is_none() {
        base_url = Setting {
            value: Some(iconik_sync::DEFAULT_BASE_URL.to_owned()),
            source: Source::Default,
        };
    }
    let app_id = pick(&flags.app_id, "--app-id", "ICONIK_APP_ID", |p| &p.app_id);
    let auth_token = pick(
        &flags.auth_token,
        "--auth-token",
        "ICONIK_AUTH_TOKEN",
        |p| &p.auth_token,
    );
    let profile = explicit.or_else(|| {
        default_profile
            .is_some()
            .then(|| default_name.clone().map(|n| (n, Source::Default)))
            .flatten()
    });
    Ok(Settings {
        config_path,
        config_found: found,
        profiles,
        profile,
        base_url,
        app_id,
        auth_token,
    })
}

/// Reads and parses the config file; a missing file is an empty one.
fn read_file(path: &Path) -> Result<(ConfigFile, bool), Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((ConfigFile::default(), false))
        }
        Err(e) => {
            return Err(Failure::config(format!(
                "cannot read config file {}: {e}",
                path.display()
            )))
        }
    };
    match toml::from_str::<ConfigFile>(&text) {
        Ok(file) => Ok((file, true)),
        Err(e) => {
            // toml's Display quotes the offending line, which may hold a
            // token: report only the message and the line number
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            Err(Failure::config(format!(
                "config file {}{at}: {}",
                path.display(),
                e.message().trim()
            )))
        }
    }
}

impl Settings {
    /// Replaces the endpoint and credentials with an emulator's.
    pub fn use_emulator(&mut self, base_url: String, app_id: &str, auth_token: &str) {
        self.base_url = Setting {
            value: Some(base_url),
            source: Source::Emulator,
        };
        self.app_id = Setting {
            value: Some(app_id.to_owned()),
            source: Source::Emulator,
        };
        self.auth_token = Setting {
            value: Some(auth_token.to_owned()),
            source: Source::Emulator,
        };
    }

    /// The token, or an empty string (for redaction).
    pub fn token(&self) -> &str {
        self.auth_token.value.as_deref().unwrap_or("")
    }

    /// What `iconik config` prints: every setting and its source, the token
    /// shown only as set or not.
    pub fn report(&self, rate_limit: bool) -> Value {
        let setting = |s: &Setting, secret: bool| {
            let value = match (&s.value, secret) {
                (None, _) => Value::Null,
                (Some(_), true) => Value::String("[redacted]".into()),
                (Some(v), false) => Value::String(v.clone()),
            };
            json!({ "value": value, "source": s.source.to_string() })
        };
        json!({
            "config_file": self.config_path.as_ref().map(|p| p.display().to_string()),
            "config_file_found": self.config_found,
            "profiles": self.profiles,
            "profile": self.profile.as_ref().map(|(name, source)| json!({
                "name": name,
                "source": source.to_string(),
            })),
            "base_url": setting(&self.base_url, false),
            "app_id": setting(&self.app_id, false),
            "auth_token": setting(&self.auth_token, true),
            "rate_limit": if rate_limit {
                "iconik's limits (50/s, 1000 per 20 s), retries on 429"
            } else {
                "off (--no-rate-limit)"
            },
        })
    }
}
