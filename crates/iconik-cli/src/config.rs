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
    #[cfg_attr(not(feature = "emulator"), allow(dead_code))]
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
    /// Problems worth a warning (a token file others can read).
    pub warnings: Vec<String>,
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
    let warnings = match &config_path {
        Some(path) if found && file.profiles.values().any(|p| p.auth_token.is_some()) => {
            readable_by_others(path)
                .then(|| {
                    format!(
                        "config file {} holds a token and other users can read it \
                         (chmod 600 it)",
                        path.display()
                    )
                })
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(Settings {
        config_path,
        config_found: found,
        warnings,
        profiles,
        profile,
        base_url,
        app_id,
        auth_token,
    })
}

/// True when the file's permissions let the group or others read it.
#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
}

/// Other platforms' permissions are not Unix modes: no warning.
#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
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
    #[cfg_attr(not(feature = "emulator"), allow(dead_code))]
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

    /// `iconik config -o table`: one line per setting with its source.
    pub fn table(&self) -> String {
        let shown = |s: &Setting, secret: bool| match (&s.value, secret) {
            (None, _) => "-".to_owned(),
            (Some(_), true) => "[redacted]".to_owned(),
            (Some(v), false) => v.clone(),
        };
        let file = match &self.config_path {
            Some(p) if self.config_found => p.display().to_string(),
            Some(p) => format!("{} (not found)", p.display()),
            None => "-".to_owned(),
        };
        let profile = match &self.profile {
            Some((name, source)) => format!("{name} ({source})"),
            None => "-".to_owned(),
        };
        let mut out = format!("config_file  {file}\nprofile      {profile}\n");
        for (key, setting, secret) in [
            ("base_url", &self.base_url, false),
            ("app_id", &self.app_id, false),
            ("auth_token", &self.auth_token, true),
        ] {
            out.push_str(&format!(
                "{key:<11}  {} ({})\n",
                shown(setting, secret),
                setting.source
            ));
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A config file with `text` in a fresh temporary directory, removed
    /// when the guard drops.
    struct TempConfig(PathBuf);

    impl TempConfig {
        fn new(text: &str) -> TempConfig {
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "iconik-cli-config-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("config.toml"), text).unwrap();
            TempConfig(dir)
        }

        fn path(&self) -> PathBuf {
            self.0.join("config.toml")
        }
    }

    impl Drop for TempConfig {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn resolve_with(flags: &Flags, vars: &[(&str, &str)]) -> Result<Settings, Failure> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve(flags, &|k: &str| vars.get(k).cloned())
    }

    const FILE: &str = r#"
        [profiles.default]
        app_id = "default-app"
        auth_token = "default-token"

        [profiles.staging]
        base_url = "https://staging.example"
        app_id = "staging-app"
        auth_token = "staging-token"
    "#;

    #[test]
    fn flags_beat_profiles_beat_env_beat_the_default_profile() {
        let file = TempConfig::new(FILE);
        let path = file.path();
        let path = path.to_str().unwrap();

        // no flags, no env: the default profile, base URL defaulted
        let s = resolve_with(&Flags::default(), &[("ICONIK_CONFIG", path)]).unwrap();
        assert_eq!(s.app_id.value.as_deref(), Some("default-app"));
        assert_eq!(s.app_id.source, Source::Profile("default".into()));
        assert_eq!(s.base_url.value.as_deref(), Some("https://app.iconik.io"));
        assert_eq!(s.base_url.source, Source::Default);

        // env beats the default profile
        let env = [("ICONIK_CONFIG", path), ("ICONIK_APP_ID", "env-app")];
        let s = resolve_with(&Flags::default(), &env).unwrap();
        assert_eq!(s.app_id.value.as_deref(), Some("env-app"));
        assert_eq!(s.auth_token.value.as_deref(), Some("default-token"));

        // an explicit profile beats env
        let flags = Flags {
            profile: Some("staging".into()),
            ..Flags::default()
        };
        let s = resolve_with(&flags, &env).unwrap();
        assert_eq!(s.app_id.value.as_deref(), Some("staging-app"));
        assert_eq!(s.base_url.value.as_deref(), Some("https://staging.example"));

        // ICONIK_PROFILE chooses a profile too; a flag beats everything
        let flags = Flags {
            app_id: Some("flag-app".into()),
            ..Flags::default()
        };
        let s = resolve_with(
            &flags,
            &[("ICONIK_CONFIG", path), ("ICONIK_PROFILE", "staging")],
        )
        .unwrap();
        assert_eq!(s.app_id.value.as_deref(), Some("flag-app"));
        assert_eq!(s.app_id.source, Source::Flag("--app-id"));
        assert_eq!(s.auth_token.value.as_deref(), Some("staging-token"));
        assert_eq!(
            s.profile,
            Some(("staging".into(), Source::Env("ICONIK_PROFILE")))
        );
    }

    #[test]
    fn default_profile_key_and_missing_file() {
        let file = TempConfig::new(&format!("default_profile = \"staging\"\n{FILE}"));
        let path = file.path();
        let s = resolve_with(
            &Flags::default(),
            &[("ICONIK_CONFIG", path.to_str().unwrap())],
        )
        .unwrap();
        assert_eq!(s.app_id.value.as_deref(), Some("staging-app"));
        assert!(s.config_found);
        assert_eq!(s.profiles, ["default", "staging"]);

        let missing = path.with_file_name("absent.toml");
        let s = resolve_with(
            &Flags::default(),
            &[("ICONIK_CONFIG", missing.to_str().unwrap())],
        )
        .unwrap();
        assert!(!s.config_found);
        assert_eq!(s.app_id.source, Source::Unset);
    }

    #[test]
    fn unknown_profiles_and_bad_files_are_config_errors_without_the_token() {
        let file = TempConfig::new(FILE);
        let path = file.path();
        let flags = Flags {
            profile: Some("prod".into()),
            ..Flags::default()
        };
        let e = resolve_with(&flags, &[("ICONIK_CONFIG", path.to_str().unwrap())]).unwrap_err();
        assert_eq!(e.exit as u8, 4);
        assert!(e.message.contains("\"prod\""), "{}", e.message);
        assert!(e.message.contains("default, staging"), "{}", e.message);

        // an unquoted token is a TOML error on its line: the line is not echoed
        let bad = TempConfig::new("[profiles.x]\nauth_token = sup3r-s3cret-value\n");
        let bad = bad.path();
        let e = resolve_with(
            &Flags::default(),
            &[("ICONIK_CONFIG", bad.to_str().unwrap())],
        )
        .unwrap_err();
        assert_eq!(e.exit as u8, 4);
        assert!(e.message.contains("line 2"), "{}", e.message);
        assert!(!e.message.contains("sup3r"), "{}", e.message);

        let typo = TempConfig::new("[profiles.x]\nauth-token = \"t\"\n");
        let typo = typo.path();
        let e = resolve_with(
            &Flags::default(),
            &[("ICONIK_CONFIG", typo.to_str().unwrap())],
        )
        .unwrap_err();
        assert!(e.message.contains("auth-token"), "{}", e.message);
    }

    #[cfg(unix)]
    #[test]
    fn a_token_file_others_can_read_is_warned_about() {
        use std::os::unix::fs::PermissionsExt;
        let file = TempConfig::new(FILE);
        let path = file.path();
        let env = [("ICONIK_CONFIG", path.to_str().unwrap())];
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let s = resolve_with(&Flags::default(), &env).unwrap();
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        assert!(s.warnings[0].contains("chmod 600"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let s = resolve_with(&Flags::default(), &env).unwrap();
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn the_report_and_debug_never_show_the_token() {
        let file = TempConfig::new(FILE);
        let path = file.path();
        let s = resolve_with(
            &Flags::default(),
            &[("ICONIK_CONFIG", path.to_str().unwrap())],
        )
        .unwrap();
        let report = s.report(true).to_string();
        assert!(!report.contains("default-token"), "{report}");
        assert_eq!(s.report(true)["auth_token"]["value"], "[redacted]");
        assert!(!format!("{s:?}").contains("default-token"));
        let table = s.table();
        assert!(!table.contains("default-token"), "{table}");
        assert!(
            table.contains("auth_token   [redacted] (profile \"default\")"),
            "{table}"
        );
    }
}
