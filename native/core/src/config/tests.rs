//! Config tests: search order, every error class, env overrides, secrets.

use super::*;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const KEY_A: &str = "aa00000000000000000000000000000000000000000000000000000000000001";

/// A minimal valid file body (p2p needs a rack id, http needs an app-node URL and a client id).
const MINIMAL: &str = r#"
[p2p]
rack_id = "rack-1"
[http]
app_node_url = "https://app.example.com"
oauth_client_id = "cid"
"#;

fn opts(data: &Path, cwd: &Path) -> LoadOptions {
    LoadOptions {
        data_dir: Some(data.to_path_buf()),
        cwd: cwd.to_path_buf(),
        ..Default::default()
    }
}

fn write(p: &Path, body: &str) {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(p, body).unwrap();
}

struct Dirs {
    _t: tempfile::TempDir,
    data: std::path::PathBuf,
    cwd: std::path::PathBuf,
}

fn dirs() -> Dirs {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("node/regtest/modules/blvm-miningos");
    let cwd = t.path().join("cwd");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&cwd).unwrap();
    Dirs { _t: t, data, cwd }
}

fn err_of(r: Result<Loaded, ConfigError>) -> String {
    match r {
        Ok(l) => panic!("expected an error, got {:?}", l.source),
        Err(e) => {
            assert_eq!(crate::Coded::code(&e), "ERR_CONFIG");
            e.to_string()
        }
    }
}

#[test]
fn search_order_first_hit_wins() {
    let d = dirs();
    let order = [
        d.data.join("config/miningos.toml"),
        d.data.join("miningos.toml"),
        d.cwd.join("config/miningos.toml"),
        d.cwd.join("miningos.toml"),
    ];
    for (i, p) in order.iter().enumerate() {
        write(p, &MINIMAL.replace("rack-1", &format!("rack-{i}")));
    }
    // remove from the front: each time the next candidate wins
    for (i, p) in order.iter().enumerate() {
        let l = load(&opts(&d.data, &d.cwd)).unwrap();
        assert_eq!(l.source.as_deref(), Some(p.as_path()));
        assert_eq!(
            l.config.p2p.rack_id.as_deref(),
            Some(format!("rack-{i}").as_str())
        );
        std::fs::remove_file(p).unwrap();
    }
    assert_eq!(l_searched(&d), 4);
}

fn l_searched(d: &Dirs) -> usize {
    // nothing found: the defaults, which lack a rack id and an app-node URL: listed as missing,
    // an error only when a complete config is required
    let l = load(&opts(&d.data, &d.cwd)).unwrap();
    assert_eq!(l.source, None);
    assert!(
        l.missing.iter().any(|m| m.contains("[p2p] rack_id")),
        "{:?}",
        l.missing
    );
    assert!(
        l.missing.iter().any(|m| m.contains("[http] app_node_url")),
        "{:?}",
        l.missing
    );
    assert!(l.to_json()["missing"]
        .as_array()
        .is_some_and(|a| a.len() == l.missing.len()));
    let mut o = opts(&d.data, &d.cwd);
    o.require_complete = true;
    let e = err_of(load(&o));
    assert!(e.contains("[p2p] rack_id"), "{e}");
    assert!(e.contains("defaults"), "{e}");
    let mut o = opts(&d.data, &d.cwd);
    o.env = env(&[
        ("MININGOS_P2P_ENABLED", "false"),
        ("MININGOS_HTTP_ENABLED", "false"),
    ]);
    let l = load(&o).unwrap();
    assert_eq!(l.source, None);
    assert!(l.missing.is_empty(), "{:?}", l.missing);
    l.searched.len()
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_as_documented() {
    let d = dirs();
    write(&d.data.join("miningos.toml"), MINIMAL);
    let c = load(&opts(&d.data, &d.cwd)).unwrap().config;
    assert!(c.miningos.enabled && c.p2p.enabled && c.http.enabled && c.stats.enabled);
    assert_eq!(c.p2p.rack_type, "miner");
    assert!(c.p2p.auto_register);
    assert_eq!(c.stats.collection_interval_seconds, 60);
    assert_eq!(c.template.update_interval_seconds, 30);
    assert_eq!(c.http.oauth_provider, OauthProvider::Google);
    assert_eq!(c.http.token_cache_file, d.data.join("miningos-token.json"));
    assert_eq!(c.node.ipc, IpcMode::Auto);
    assert_eq!(c.node.ipc_safe_from, "0.1.84");
    assert_eq!(c.node.tip_poll_interval_ms, 250);
    assert_eq!(c.node.capabilities.len(), 4);
    // data dir .../node/regtest/modules/blvm-miningos → regtest port, cookie in the node dir
    assert_eq!(c.node.rpc_url, "http://127.0.0.1:18443");
    match &c.node.rpc_auth {
        RpcAuthConfig::Cookie { file } => {
            assert!(file.ends_with("node/regtest/.cookie"), "{}", file.display())
        }
        other => panic!("{other:?}"),
    }
}

/// The error of loading `body` as the config file, a complete config required.
fn with_file(body: &str) -> String {
    let d = dirs();
    write(&d.data.join("miningos.toml"), body);
    let mut o = opts(&d.data, &d.cwd);
    o.require_complete = true;
    err_of(load(&o))
}

#[test]
fn unknown_key_and_section() {
    let e = with_file(&format!(
        "{MINIMAL}\n[stats]\ncolection_interval_seconds = 5\n"
    ));
    assert!(
        e.contains("miningos.toml")
            && e.contains("[stats] colection_interval_seconds")
            && e.contains("unknown key"),
        "{e}"
    );
    let e = with_file(&format!("{MINIMAL}\n[bogus]\nx = 1\n"));
    assert!(
        e.contains("[bogus]") && e.contains("unknown section"),
        "{e}"
    );
    let e = with_file(&format!("top = 1\n{MINIMAL}"));
    assert!(e.contains("[top]"), "{e}");
}

#[test]
fn wrong_type() {
    let e = with_file(&format!("{MINIMAL}\n[stats]\nenabled = \"yes\"\n"));
    assert!(
        e.contains("[stats] enabled") && e.contains("expected a boolean, found a string"),
        "{e}"
    );
    let e = with_file(&MINIMAL.replace("rack_id = \"rack-1\"", "rack_id = 7"));
    assert!(
        e.contains("[p2p] rack_id") && e.contains("expected a string"),
        "{e}"
    );
    let e = with_file(&format!(
        "{MINIMAL}\n[node]\ncapabilities = [\"read_blockchain\", 3]\n"
    ));
    assert!(
        e.contains("[node] capabilities") && e.contains("item 1"),
        "{e}"
    );
}

#[test]
fn rack_id_shape() {
    let e = with_file(&MINIMAL.replace("rack-1", "-rack"));
    assert!(
        e.contains("[p2p] rack_id") && e.contains("starting with a letter or digit"),
        "{e}"
    );
    let e = with_file(&MINIMAL.replace("rack-1", "rack 1"));
    assert!(e.contains("[p2p] rack_id"), "{e}");
}

#[test]
fn syntax_error_names_file() {
    let e = with_file("[p2p\nrack_id=");
    assert!(
        e.contains("miningos.toml") && e.contains("not valid TOML"),
        "{e}"
    );
}

#[test]
fn intervals_below_minimum() {
    for (sec, key) in [
        ("stats", "collection_interval_seconds"),
        ("template", "update_interval_seconds"),
        ("http", "request_timeout_seconds"),
        ("node", "request_timeout_ms"),
    ] {
        let body = if sec == "http" {
            MINIMAL.replace("[http]", &format!("[http]\n{key} = 0"))
        } else {
            format!("{MINIMAL}\n[{sec}]\n{key} = 0\n")
        };
        let e = with_file(&body);
        assert!(
            e.contains(&format!("[{sec}] {key}")) && e.contains("at least 1"),
            "{e}"
        );
    }
    let e = with_file(&format!("{MINIMAL}\n[node]\ntip_poll_interval_ms = 5\n"));
    assert!(
        e.contains("tip_poll_interval_ms") && e.contains("at least 10"),
        "{e}"
    );
    let e = with_file(&format!(
        "{MINIMAL}\n[stats]\ncollection_interval_seconds = -3\n"
    ));
    assert!(e.contains("at least 1"), "{e}");
}

#[test]
fn bad_urls() {
    let e = with_file(&MINIMAL.replace("https://app.example.com", "not a url"));
    assert!(
        e.contains("[http] app_node_url") && e.contains("not a valid URL"),
        "{e}"
    );
    let e = with_file(&MINIMAL.replace("https://app.example.com", "http://app.example.com"));
    assert!(e.contains("loopback"), "{e}");
    let e = with_file(&format!(
        "{MINIMAL}\n[node]\nrpc_url = \"ftp://127.0.0.1\"\n"
    ));
    assert!(e.contains("[node] rpc_url") && e.contains("scheme"), "{e}");
    let d = dirs();
    write(
        &d.data.join("miningos.toml"),
        &format!("{MINIMAL}\n[node]\nrpc_url = \"http://[::1]:1234\"\n"),
    );
    let c = load(&opts(&d.data, &d.cwd)).unwrap().config;
    assert_eq!(c.node.rpc_url, "http://[::1]:1234");
}

#[test]
fn bad_key_hex() {
    let e = with_file(&MINIMAL.replace("[p2p]", "[p2p]\norks = [\"abc\"]"));
    assert!(
        e.contains("[p2p] orks") && e.contains("item 0") && e.contains("64-hex"),
        "{e}"
    );
    let e = with_file(&MINIMAL.replace(
        "[p2p]",
        &format!("[p2p]\nallow = [\"{}\"]", KEY_A.replace('a', "g")),
    ));
    assert!(e.contains("[p2p] allow"), "{e}");
    let d = dirs();
    write(
        &d.data.join("miningos.toml"),
        &MINIMAL.replace(
            "[p2p]",
            &format!("[p2p]\norks = [\"{}\"]", KEY_A.to_uppercase()),
        ),
    );
    let c = load(&opts(&d.data, &d.cwd)).unwrap().config;
    assert_eq!(c.p2p.orks, vec![KEY_A.to_string()]);
}

#[test]
fn plaintext_secret_refused() {
    let e = with_file(&MINIMAL.replace("[http]", "[http]\noauth_client_secret = \"s3cr3t\""));
    assert!(
        e.contains("[http] oauth_client_secret")
            && e.contains("MININGOS_OAUTH_CLIENT_SECRET")
            && e.contains("oauth_client_secret_file"),
        "{e}"
    );
    assert!(!e.contains("s3cr3t"));
}

#[test]
fn secret_files() {
    let d = dirs();
    let sf = d.data.join("secret.txt");
    write(&sf, "  topsecret\n");
    std::fs::set_permissions(&sf, std::fs::Permissions::from_mode(0o644)).unwrap();
    write(
        &d.data.join("miningos.toml"),
        &MINIMAL.replace(
            "[http]",
            "[http]\noauth_client_secret_file = \"secret.txt\"",
        ),
    );
    let e = err_of(load(&opts(&d.data, &d.cwd)));
    assert!(
        e.contains("oauth_client_secret_file") && e.contains("0644") && e.contains("chmod 600"),
        "{e}"
    );
    std::fs::set_permissions(&sf, std::fs::Permissions::from_mode(0o600)).unwrap();
    let l = load(&opts(&d.data, &d.cwd)).unwrap();
    assert_eq!(
        l.config
            .http
            .oauth_client_secret
            .as_ref()
            .map(|s| s.expose()),
        Some("topsecret")
    );
    let json = l.to_json().to_string();
    assert!(
        !json.contains("topsecret") && json.contains("<redacted>"),
        "{json}"
    );
    assert!(!format!("{:?}", l.config).contains("topsecret"));
    // env wins over the file
    let mut o = opts(&d.data, &d.cwd);
    o.env = env(&[("MININGOS_OAUTH_CLIENT_SECRET", "fromenv")]);
    let l = load(&o).unwrap();
    assert_eq!(
        l.config
            .http
            .oauth_client_secret
            .as_ref()
            .map(|s| s.expose()),
        Some("fromenv")
    );
    // missing file
    write(
        &d.data.join("miningos.toml"),
        &MINIMAL.replace("[http]", "[http]\napp_node_token_file = \"nope\""),
    );
    let e = err_of(load(&opts(&d.data, &d.cwd)));
    assert!(
        e.contains("app_node_token_file") && e.contains("nope"),
        "{e}"
    );
}

#[test]
fn env_overrides() {
    let d = dirs();
    write(&d.data.join("miningos.toml"), MINIMAL);
    let mut o = opts(&d.data, &d.cwd);
    o.env = env(&[
        ("MODULE_CONFIG_VERSION", "0.1.0"),
        ("MODULE_CONFIG_DATABASE_BACKEND", "redb"),
        ("MODULE_CONFIG_NODE_P2P_LISTEN_PORT", "18444"),
        ("MODULE_CONFIG_P2P_RACK_ID", "from-module-config"),
        ("MODULE_CONFIG_STATS_COLLECTION_INTERVAL_SECONDS", "15"),
        ("MODULE_CONFIG_P2P_ORKS", &format!("\"{KEY_A}\"")),
        ("MININGOS_STATS_COLLECTION_INTERVAL_SECONDS", "20"),
        ("MININGOS_NODE_IPC", "off"),
        (
            "MININGOS_NODE_CAPABILITIES",
            "[\"ReadBlockchain\", \"call_module\"]",
        ),
        ("MININGOS_LOG_LEVEL", "debug"),
    ]);
    let l = load(&o).unwrap();
    let c = &l.config;
    assert_eq!(c.p2p.rack_id.as_deref(), Some("from-module-config"));
    assert_eq!(
        c.stats.collection_interval_seconds, 20,
        "MININGOS_ wins over MODULE_CONFIG_"
    );
    assert_eq!(c.node.ipc, IpcMode::Off);
    assert_eq!(c.p2p.orks, vec![KEY_A.to_string()]);
    assert_eq!(c.node.capabilities, vec!["read_blockchain", "call_module"]);
    assert!(l.overrides.contains(&"MININGOS_NODE_IPC".to_string()));

    for (var, val, want) in [
        ("MININGOS_STATS_ENABLED", "yes", "expected true or false"),
        (
            "MININGOS_STATS_COLLECTION_INTERVAL_SECONDS",
            "0",
            "at least 1",
        ),
        ("MININGOS_STATS_BOGUS", "1", "unknown key"),
        ("MODULE_CONFIG_WHATEVER", "1", "unknown setting"),
        (
            "MODULE_CONFIG_HTTP_OAUTH_CLIENT_SECRET",
            "x",
            "secrets are not accepted",
        ),
        ("MININGOS_NODE_RPC_URL", "http://10.0.0.1:8332", "loopback"),
        ("MININGOS_NODE_IPC", "maybe", "auto, on, off"),
    ] {
        let mut o = opts(&d.data, &d.cwd);
        o.env = env(&[(var, val)]);
        let e = err_of(load(&o));
        assert!(e.contains(var) && e.contains(want), "{var}: {e}");
    }
}

#[test]
fn rpc_url_from_p2p_port_and_user_password() {
    let d = dirs();
    write(
        &d.data.join("miningos.toml"),
        &format!("{MINIMAL}\n[node]\nrpc_user = \"alice\"\n"),
    );
    let mut o = opts(&d.data, &d.cwd);
    o.env = env(&[("MODULE_CONFIG_NODE_P2P_LISTEN_PORT", "38333")]);
    let e = err_of(load(&o));
    assert!(
        e.contains("[node] rpc_user") && e.contains("MININGOS_NODE_RPC_PASSWORD"),
        "{e}"
    );
    o.env
        .insert("MININGOS_NODE_RPC_PASSWORD".into(), "pw".into());
    let c = load(&o).unwrap().config;
    assert_eq!(c.node.rpc_url, "http://127.0.0.1:38332");
    assert!(
        matches!(c.node.rpc_auth, RpcAuthConfig::UserPassword { ref user, .. } if user == "alice")
    );
}

#[test]
fn provider_requirements_and_token_cache() {
    let e = with_file(&MINIMAL.replace("[http]", "[http]\noauth_provider = \"oidc\""));
    assert!(e.contains("oauth_issuer"), "{e}");
    let e = with_file(&MINIMAL.replace("[http]", "[http]\noauth_provider = \"custom\""));
    assert!(e.contains("oauth_token_url"), "{e}");
    let e = with_file(&MINIMAL.replace("[http]", "[http]\noauth_provider = \"app-node\""));
    assert!(e.contains("MININGOS_APP_NODE_TOKEN"), "{e}");
    let e = with_file(&MINIMAL.replace("[http]", "[http]\noauth_provider = \"github\""));
    assert!(e.contains("[http] oauth_provider"), "{e}");
    let e =
        with_file(&MINIMAL.replace("[http]", "[http]\ntoken_cache_file = \"../../escape.json\""));
    assert!(
        e.contains("[http] token_cache_file") && e.contains("inside the data dir"),
        "{e}"
    );
    let e = with_file(&MINIMAL.replace("[http]", "[http]\ntoken_cache_file = \"/etc/x.json\""));
    assert!(e.contains("inside the data dir"), "{e}");
}

#[test]
fn explicit_path_and_inline() {
    let d = dirs();
    let mut o = opts(&d.data, &d.cwd);
    o.config_path = Some(d.cwd.join("missing.toml"));
    let e = err_of(load(&o));
    assert!(
        e.contains("missing.toml") && e.contains("cannot read"),
        "{e}"
    );
    let mut o = opts(&d.data, &d.cwd);
    let table: toml::Table = toml::from_str(
        "[p2p]\nenabled = false\n[http]\nenabled = false\n[node]\nipc = \"sometimes\"",
    )
    .unwrap();
    o.inline = Some(("options.config".into(), table));
    let e = err_of(load(&o));
    assert!(
        e.contains("options.config") && e.contains("[node] ipc"),
        "{e}"
    );
}

#[test]
fn example_file_loads() {
    let d = dirs();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/miningos.example.toml");
    let mut o = opts(&d.data, &d.cwd);
    o.config_path = Some(example);
    let l = load(&o).unwrap();
    assert_eq!(l.config.p2p.rack_id.as_deref(), Some("blvm-node-001"));
    assert_eq!(l.config.node.tip_poll_interval_ms, 250);
    assert_eq!(l.config.actions.hook_timeout_seconds, Some(30));
    assert_eq!(l.config.actions.enabled, Some(true));
    // the hooks example is a valid [actions] section of a miningos.toml as well
    let hooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/hooks.example.toml");
    let f = d.data.join("config/miningos.toml");
    write(&f, &std::fs::read_to_string(hooks).unwrap());
    let l = load(&opts(&d.data, &d.cwd)).unwrap();
    assert_eq!(l.config.actions.votes_for("rackReboot"), 2);
    assert_eq!(l.config.actions.max_concurrent_hooks, Some(4));
}

#[test]
fn actions_section_is_loaded_strictly() {
    let d = dirs();
    let f = d.data.join("config/miningos.toml");
    write(
        &f,
        &format!(
            "{MINIMAL}\n[actions]\nhook_timeout_seconds = 5\n[actions.votes]\nrackReboot = 3\n[actions.hooks.miner_reboot]\nargv = [\"/bin/echo\", \"{{address}}\"]\n"
        ),
    );
    let l = load(&opts(&d.data, &d.cwd)).unwrap();
    let a = &l.config.actions;
    assert_eq!(a.hook_timeout_seconds, Some(5));
    assert_eq!(a.votes_for("rackReboot"), 3);
    assert_eq!(
        a.hooks.miner_reboot.as_ref().map(|h| h.argv.clone()),
        Some(vec!["/bin/echo".to_string(), "{address}".to_string()])
    );
    // the JSON the addon hands to JS builds the same engine config
    let json = l.to_json()["config"]["actions"].clone();
    assert_eq!(crate::actions::ActionsConfig::from_json(json).unwrap(), *a);

    // env override of a scalar key
    let mut o = opts(&d.data, &d.cwd);
    o.env
        .insert("MININGOS_ACTIONS_ENABLED".into(), "false".into());
    let l = load(&o).unwrap();
    assert_eq!(l.config.actions.enabled, Some(false));
    assert_eq!(l.overrides, vec!["MININGOS_ACTIONS_ENABLED".to_string()]);

    // unknown keys, bad placeholders, bad votes: errors naming file and key
    for (body, want) in [
        ("[actions]\nfrobnicate = 1\n", "unknown key; [actions] accepts: enabled, hook_timeout_seconds, max_output_bytes, max_concurrent_hooks, votes, hooks"),
        ("[actions.hooks.miner_reboot]\nargv = [\"x\"]\nshell = true\n", "unknown field `shell`"),
        ("[actions.hooks.miner_reboot]\nargv = [\"x\", \"{nope}\"]\n", "unknown placeholder {nope}"),
        ("[actions.votes]\nrackReboot = 0\n", "actions.votes.rackReboot = 0: must be 1..=100"),
        ("[actions]\nvotes = 3\n", "[actions.votes]: expected a table"),
        ("[actions]\nhook_timeout_seconds = 7200\n", "must be 1..=3600"),
    ] {
        write(&f, &format!("{MINIMAL}\n{body}"));
        let e = err_of(load(&opts(&d.data, &d.cwd)));
        assert!(e.contains(want), "{body}: {e}");
        assert!(e.contains(&f.display().to_string()), "{e}");
    }
    // nested tables cannot come from the environment
    write(&f, MINIMAL);
    let mut o = opts(&d.data, &d.cwd);
    o.env.insert("MININGOS_ACTIONS_HOOKS".into(), "x".into());
    let e = err_of(load(&o));
    assert!(e.contains("env MININGOS_ACTIONS_HOOKS"), "{e}");
}
