//! A real gitleaks config from a public repository (`tests/data/README.md` names it): every
//! regex compiles under ward, the rules are all there but the path-only one, and its global
//! allowlist (`regexTarget = "line"`, paths) and rule allowlists behave as gitleaks defines.

use std::path::PathBuf;

use ward_secrets::{load_gitleaks_config, GitleaksConfig, RuleSet};

fn leaktk() -> GitleaksConfig {
    let path = PathBuf::from(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("tests/data/leaktk-gitleaks-8.27.0.toml");
    load_gitleaks_config(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// The ids of the rules reporting something in `text` at `path`.
fn found(config: &GitleaksConfig, path: &str, text: &str) -> Vec<String> {
    let set = RuleSet::new(config.rules.clone());
    set.scan(path, text.as_bytes(), b"salt")
        .into_iter()
        .map(|hit| set.rules()[hit.rule].id.clone())
        .collect()
}

/// A look-alike GitHub token (random, never a real one).
const TOKEN: &str = "ghp_Qw7Er9Ty1Ui3Op5As7Df9Gh1Jk3Lz5Xc7Vb9";

/// LeakTK's id of its "GitHub Personal Access Token" rule.
const GITHUB_PAT: &str = "gODCNuGzuKQ";

#[test]
fn every_rule_but_the_path_only_one_is_read() {
    let config = leaktk();
    assert_eq!(config.rules.len(), 89);
    assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
    assert!(
        config.warnings[0].contains("`RA8jFaMQxIg` matches file paths only"),
        "{:?}",
        config.warnings
    );
    for rule in &config.rules {
        assert!(rule.pattern.compiled().is_ok(), "{}", rule.id);
    }
    // Every rule carries the global allowlist besides its own.
    assert!(config.rules.iter().all(|r| !r.allowlists.is_empty()));
}

#[test]
fn the_global_allowlist_tests_the_whole_line_and_paths() {
    let config = leaktk();
    let line = format!("GITHUB_TOKEN={TOKEN}\n");
    assert_eq!(found(&config, "deploy/env.sh", &line), [GITHUB_PAT]);
    let marked = format!("GITHUB_TOKEN={TOKEN}  # not-secret: revoked fixture\n");
    assert!(found(&config, "deploy/env.sh", &marked).is_empty());
    assert!(found(&config, "web/node_modules/pkg/index.js", &line).is_empty());
}

#[test]
fn rule_allowlists_with_a_line_target() {
    let config = leaktk();
    // "Password Hash" ($6$ crypt): allowed on lines mentioning test/example/assert.
    let hash = "$6$Xk29wQpL$J0u4r8Kcs9nWm2vTq7yZb5Ae1Gd3Hf6Ij8Kl0Mn2Op4Qr6St8Uv0Wx2Yz4Ab6Cd8Ef0Gh2Ij4Kl6Mn8Op0Qr2St4Uv6Wx8Yz0Ab2Cd4Ef6Gh8Ij0K";
    let ids = found(
        &config,
        "etc/shadow.conf",
        &format!("root:{hash}:19000:0:99999:7:::\n"),
    );
    assert_eq!(ids, ["amXYPF5An5s"]);
    let in_test = format!("assert crypt(pw) == \"{hash}\"\n");
    assert!(found(&config, "src/check.py", &in_test).is_empty());
}
