//! Adapters run for real: stand-in tools written here as shell scripts for the ways a tool
//! fails (crash, signal, timeout, no report, a broken report), and the real scanners that
//! install from PyPI (bandit, checkov, semgrep, trivy) on small vulnerable inputs. A real tool
//! that is not installed skips its test, unless `WARD_TEST_TOOLS=1` (set by
//! `scripts/test.sh`, which installs them) makes that a failure.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ward_jobs::adapters::{adapter, Collect, External, Runner};
use ward_jobs::{
    run, Adapter, FailureReason, FailureReport, Outcome, RunConfig, Target, TargetKind,
};

/// A scratch root, a directory of stand-in tools, and a tree to scan.
struct Bench {
    dir: tempfile::TempDir,
}

impl Bench {
    fn new() -> Bench {
        let bench = Bench {
            dir: tempfile::tempdir().unwrap(),
        };
        for sub in ["scratch", "bin", "tree"] {
            std::fs::create_dir(bench.dir.path().join(sub)).unwrap();
        }
        bench
    }

    fn tree(&self) -> PathBuf {
        self.dir.path().join("tree")
    }

    /// Adds a file to the tree.
    fn plant(&self, name: &str, text: &str) {
        let path = self.tree().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Writes an executable shell script into the bin directory.
    fn tool(&self, name: &str, script: &str) {
        let path = self.dir.path().join("bin").join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Runs with the bin directory first on PATH, then the system's.
    fn config(&self) -> RunConfig {
        let mut config = RunConfig::new(&self.dir.path().join("scratch"));
        let mut path = vec![self.dir.path().join("bin")];
        path.extend(std::env::split_paths(&config.search_path));
        config.search_path = std::env::join_paths(path).unwrap();
        config.timeout = Duration::from_secs(120);
        config
    }

    /// Asserts every run cleaned up its scratch directory.
    fn assert_scratch_empty(&self) {
        let left = std::fs::read_dir(self.dir.path().join("scratch"))
            .unwrap()
            .count();
        assert_eq!(left, 0);
    }
}

/// A stand-in adapter running `program` with `{report}` as its only argument, its report read
/// as SARIF.
fn stand_in(program: &'static str) -> Adapter {
    Adapter {
        id: "stand-in",
        name: "stand-in tool",
        target: TargetKind::Directory,
        runner: Runner::External(External {
            program,
            args: &["{report}", "{target}"],
            report: "out.sarif",
            format: "sarif",
            ok_exit_codes: &[0, 1],
            pass_env: &["WARD_TEST_PASSED"],
            collect: Collect::ReportFile,
        }),
    }
}

fn failed(outcome: Outcome) -> FailureReport {
    match outcome {
        Outcome::Failed(report) => report,
        Outcome::Completed(c) => panic!("expected a failure, got {} findings", c.findings.len()),
    }
}

fn completed(outcome: Outcome) -> ward_jobs::Completed {
    match outcome {
        Outcome::Completed(c) => c,
        Outcome::Failed(report) => panic!("expected a completed scan:\n{}", report.to_json()),
    }
}

const EMPTY_SARIF: &str =
    r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[]}]}"#;

#[tokio::test]
async fn a_tool_not_on_path_is_tool_missing() {
    let bench = Bench::new();
    let mut config = bench.config();
    // Only the (empty) bin directory: nothing is installed.
    config.search_path = bench.dir.path().join("bin").into_os_string();
    for id in ["gitleaks", "bandit", "sonar-scanner", "horusec"] {
        let outcome = run(
            adapter(id).unwrap(),
            &Target::Directory(bench.tree()),
            &config,
        )
        .await;
        let report = failed(outcome);
        assert_eq!(report.reason, FailureReason::ToolMissing, "{id}");
        assert!(
            report.message.contains("not installed"),
            "{}",
            report.message
        );
        assert_eq!(report.scanner, id);
        assert!(report.started_at.ends_with('Z'));
    }
    let zap = run(
        adapter("zap-baseline").unwrap(),
        &Target::Url("http://127.0.0.1:9/".to_string()),
        &config,
    )
    .await;
    assert_eq!(failed(zap).reason, FailureReason::ToolMissing);
    bench.assert_scratch_empty();
}

#[tokio::test]
async fn a_crashing_tool_gives_a_failure_report_with_its_output() {
    let bench = Bench::new();
    bench.tool(
        "crasher",
        "echo 'parsing rules'\necho 'fatal: rule file is broken' >&2\nexit 3",
    );
    let adapter = stand_in("crasher");
    let report = failed(run(&adapter, &Target::Directory(bench.tree()), &bench.config()).await);
    assert_eq!(report.reason, FailureReason::ExitCode);
    assert_eq!(report.exit_code, Some(3));
    assert_eq!(report.signal, None);
    assert_eq!(report.stdout_tail, "parsing rules\n");
    assert_eq!(report.stderr_tail, "fatal: rule file is broken\n");
    assert!(report.command[0].ends_with("/bin/crasher"));
    assert!(report.command[1].ends_with("/out.sarif"));
    assert_eq!(report.command[2], bench.tree().display().to_string());
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["reason"], "exit-code");
    assert_eq!(json["exit_code"], 3);
    bench.assert_scratch_empty();
}

#[tokio::test]
async fn a_tool_killed_by_a_signal_is_reported_as_killed() {
    let bench = Bench::new();
    bench.tool("suicide", "echo dying >&2\nkill -9 $$");
    let report = failed(
        run(
            &stand_in("suicide"),
            &Target::Directory(bench.tree()),
            &bench.config(),
        )
        .await,
    );
    assert_eq!(report.reason, FailureReason::Killed);
    assert_eq!((report.exit_code, report.signal), (None, Some(9)));
    assert_eq!(report.stderr_tail, "dying\n");
}

/// The tool starts a child and both sleep; at the timeout the whole process group dies.
#[tokio::test]
async fn a_timeout_kills_the_process_group() {
    let bench = Bench::new();
    let pid_file = bench.dir.path().join("child.pid");
    bench.tool(
        "sleeper",
        &format!(
            "sleep 60 &\necho $! > {}\necho started\nsleep 60",
            pid_file.display()
        ),
    );
    let mut config = bench.config();
    config.timeout = Duration::from_secs(1);
    let clock = Instant::now();
    let report = failed(
        run(
            &stand_in("sleeper"),
            &Target::Directory(bench.tree()),
            &config,
        )
        .await,
    );
    assert!(
        clock.elapsed() < Duration::from_secs(10),
        "{:?}",
        clock.elapsed()
    );
    assert_eq!(report.reason, FailureReason::Timeout);
    assert_eq!(report.signal, Some(9));
    assert!(
        report.message.contains("timeout of 1 s"),
        "{}",
        report.message
    );
    assert_eq!(report.stdout_tail, "started\n");
    assert!(report.duration_ms >= 1000);
    let child: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(gone(child), "the tool's child {child} survived the timeout");
    bench.assert_scratch_empty();
}

/// Whether a process has ended (it may linger a moment as a zombie of its new parent).
fn gone(pid: u32) -> bool {
    for _ in 0..50 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if status.is_empty() || status.contains("State:\tZ") {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[tokio::test]
async fn a_missing_or_broken_report_is_a_failure() {
    let bench = Bench::new();
    bench.tool("silent", "exit 0");
    bench.tool("garbler", "echo 'this is not SARIF' > \"$1\"");
    let config = bench.config();
    let target = Target::Directory(bench.tree());
    let report = failed(run(&stand_in("silent"), &target, &config).await);
    assert_eq!(report.reason, FailureReason::ReportMissing);
    assert_eq!(report.exit_code, Some(0));
    let report = failed(run(&stand_in("garbler"), &target, &config).await);
    assert_eq!(report.reason, FailureReason::ReportUnreadable);
    assert!(report.message.contains("as sarif"), "{}", report.message);
}

/// The tool sees PATH, HOME and TMPDIR (its scratch directory, also its working directory),
/// LANG, what the adapter passes and what the operator sets, nothing else.
#[tokio::test]
async fn the_environment_is_clean() {
    let bench = Bench::new();
    bench.tool(
        "envdump",
        &format!("env | sort >&2\npwd >&2\necho '{EMPTY_SARIF}' > \"$1\"\nexit 1"),
    );
    let adapter = Adapter {
        runner: Runner::External(External {
            ok_exit_codes: &[0],
            ..match stand_in("envdump").runner {
                Runner::External(e) => e,
                Runner::Native(_) => unreachable!(),
            }
        }),
        ..stand_in("envdump")
    };
    let mut config = bench.config();
    config.env = vec![("WARD_OPERATOR_SETTING".to_string(), "on".to_string())];
    let report = failed(run(&adapter, &Target::Directory(bench.tree()), &config).await);
    let lines: Vec<&str> = report.stderr_tail.lines().collect();
    let names: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .collect();
    // `sh` itself adds PWD (and some shells SHLVL and `_`).
    let allowed = [
        "HOME",
        "LANG",
        "PATH",
        "TMPDIR",
        "WARD_OPERATOR_SETTING",
        "PWD",
        "SHLVL",
        "_",
        "OLDPWD",
    ];
    for name in &names {
        assert!(allowed.contains(name), "unexpected variable {name}");
    }
    assert!(names.contains(&"WARD_OPERATOR_SETTING"));
    let cwd = lines.last().unwrap();
    assert!(cwd.starts_with(bench.dir.path().join("scratch").to_str().unwrap()));
    assert!(lines.contains(&format!("HOME={cwd}").as_str()), "{lines:?}");
}

#[tokio::test]
async fn a_secret_in_tool_output_is_masked() {
    let bench = Bench::new();
    // A random GitHub-token look-alike, not a real credential.
    bench.tool(
        "leaky",
        "echo 'login failed for token ghp_R7k2Lm9Qx4Tz8Wb3Nc6Vd1Fh5Jp0Ys2Ae4Gu' >&2\nexit 5",
    );
    let report = failed(
        run(
            &stand_in("leaky"),
            &Target::Directory(bench.tree()),
            &bench.config(),
        )
        .await,
    );
    assert!(
        !report.stderr_tail.contains("R7k2Lm9Qx4Tz8Wb3"),
        "{}",
        report.stderr_tail
    );
    assert!(report
        .stderr_tail
        .starts_with("login failed for token ghp_"));
}

#[tokio::test]
async fn wrong_targets_are_refused_before_running() {
    let bench = Bench::new();
    let config = bench.config();
    let url = Target::Url("http://127.0.0.1:9/".to_string());
    let report = failed(run(adapter("bandit").unwrap(), &url, &config).await);
    assert_eq!(report.reason, FailureReason::WrongTarget);
    let relative = Target::Directory(PathBuf::from("tree"));
    let report = failed(run(adapter("bandit").unwrap(), &relative, &config).await);
    assert_eq!(report.reason, FailureReason::WrongTarget);
    let option = Target::Url("--help".to_string());
    let report = failed(run(adapter("zap-baseline").unwrap(), &option, &config).await);
    assert_eq!(report.reason, FailureReason::WrongTarget);
}

#[tokio::test]
async fn native_secrets_scan_finds_a_planted_key() {
    let bench = Bench::new();
    // A Stripe live-key look-alike made of random characters, not a real key.
    bench.plant(
        "config/settings.py",
        "STRIPE_KEY = \"sk_live_4eC39HqLyjWDarjtT1zdp7dcQw2XbN8m\"\n",
    );
    let outcome = run(
        adapter("secrets").unwrap(),
        &Target::Directory(bench.tree()),
        &bench.config(),
    )
    .await;
    let done = completed(outcome);
    assert_eq!(done.findings.len(), 1, "{:?}", done.findings);
    let finding = &done.findings[0];
    assert!(!finding.fingerprint.is_empty());
    let shown = serde_json::to_string(finding).unwrap();
    assert!(!shown.contains("4eC39HqLyjWDarjtT1zdp7dc"), "{shown}");
}

#[tokio::test]
async fn native_deps_scan_without_a_database_fails_clearly() {
    let bench = Bench::new();
    let report = failed(
        run(
            adapter("deps").unwrap(),
            &Target::Directory(bench.tree()),
            &bench.config(),
        )
        .await,
    );
    assert_eq!(report.reason, FailureReason::ScannerError);
    assert!(
        report.message.contains("advisory database"),
        "{}",
        report.message
    );
}

/// Whether a real tool can run here; without it the test is skipped, unless
/// `WARD_TEST_TOOLS=1` says the tools were installed.
fn have(tool: &str, config: &RunConfig) -> bool {
    let found = std::env::split_paths(&config.search_path).any(|dir| dir.join(tool).is_file());
    assert!(
        found || std::env::var_os("WARD_TEST_TOOLS").is_none(),
        "WARD_TEST_TOOLS is set but `{tool}` is not installed"
    );
    found
}

fn rule_ids(done: &ward_jobs::Completed) -> Vec<String> {
    let mut ids: Vec<String> = done
        .findings
        .iter()
        .filter_map(|f| f.rule_id.clone())
        .collect();
    ids.sort();
    ids
}

const VULNERABLE_PY: &str = r#"import subprocess

password = "hunter2"


def run(command):
    subprocess.call(command, shell=True)
    return eval(command)
"#;

#[tokio::test]
async fn bandit_findings_are_imported() {
    let bench = Bench::new();
    let config = bench.config();
    if !have("bandit", &config) {
        return;
    }
    bench.plant("app/run.py", VULNERABLE_PY);
    let done = completed(
        run(
            adapter("bandit").unwrap(),
            &Target::Directory(bench.tree()),
            &config,
        )
        .await,
    );
    let ids = rule_ids(&done);
    // The bandit parser keeps the test name with its id, as bandit's own output does.
    assert_eq!(
        ids,
        [
            "blacklist:B307",
            "blacklist:B404",
            "hardcoded_password_string:B105",
            "subprocess_popen_with_shell_equals_true:B602"
        ]
    );
    let shell = done
        .findings
        .iter()
        .find(|f| f.rule_id.as_deref().is_some_and(|id| id.ends_with(":B602")))
        .unwrap();
    let file = shell.location.file.as_ref().unwrap();
    assert!(file.path.ends_with("app/run.py"), "{}", file.path);
    assert_eq!(file.start_line, Some(7));
    bench.assert_scratch_empty();
}

#[tokio::test]
async fn checkov_findings_are_imported() {
    let bench = Bench::new();
    let config = bench.config();
    if !have("checkov", &config) {
        return;
    }
    bench.plant(
        "infra/main.tf",
        r#"resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
    );
    let done = completed(
        run(
            adapter("checkov").unwrap(),
            &Target::Directory(bench.tree()),
            &config,
        )
        .await,
    );
    let ids = rule_ids(&done);
    assert!(ids.iter().any(|id| id == "CKV_AWS_24"), "{ids:?}");
}

#[tokio::test]
async fn semgrep_findings_are_imported() {
    let bench = Bench::new();
    let mut config = bench.config();
    if !have("semgrep", &config) {
        return;
    }
    bench.plant("app/run.py", VULNERABLE_PY);
    let rules = bench.dir.path().join("rules.yml");
    std::fs::write(
        &rules,
        r#"rules:
  - id: python-eval
    pattern: eval(...)
    message: eval of a variable runs arbitrary code
    languages: [python]
    severity: ERROR
"#,
    )
    .unwrap();
    config
        .env
        .push(("SEMGREP_RULES".to_string(), rules.display().to_string()));
    let done = completed(
        run(
            adapter("semgrep").unwrap(),
            &Target::Directory(bench.tree()),
            &config,
        )
        .await,
    );
    assert_eq!(done.findings.len(), 1, "{:?}", rule_ids(&done));
    let file = done.findings[0].location.file.as_ref().unwrap();
    assert_eq!(file.start_line, Some(8));
}

/// Trivy's secret scanner needs no database download, so it runs offline.
#[tokio::test]
async fn trivy_fs_secret_findings_are_imported() {
    let bench = Bench::new();
    let mut config = bench.config();
    if !have("trivy", &config) {
        return;
    }
    // Random look-alikes of an AWS key pair, not real credentials.
    bench.plant(
        "deploy/creds.txt",
        "aws_access_key_id = AKIAZ4RW5LKTH6MQNFXQ\naws_secret_access_key = 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\n",
    );
    config
        .env
        .push(("TRIVY_SCANNERS".to_string(), "secret".to_string()));
    let done = completed(
        run(
            adapter("trivy-fs").unwrap(),
            &Target::Directory(bench.tree()),
            &config,
        )
        .await,
    );
    assert!(!done.findings.is_empty());
    let shown = serde_json::to_string(&done.findings).unwrap();
    assert!(
        !shown.contains("Zx9Qv2LmN8pR4sT6uW1y"),
        "a secret in clear: {shown}"
    );
}

/// A stand-in SonarQube server on loopback, answering the three Web API calls the adapter
/// makes with real API responses (from the report corpus), and recording the requests.
async fn sonarqube_stand_in() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let corpus = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("../../tests/data/corpus/sonarqube");
    let issues = std::fs::read_to_string(corpus.join("findings_over_api.json")).unwrap();
    let hotspots = std::fs::read_to_string(corpus.join("findings_over_api_hotspots.json")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let Ok(n) = socket.read(&mut buffer).await else {
                    break;
                };
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..n]);
            }
            let request = String::from_utf8_lossy(&request).to_string();
            let target = request.split(' ').nth(1).unwrap_or("").to_string();
            let authorized = request
                .to_ascii_lowercase()
                .contains("authorization: basic dg9rog==");
            log.lock()
                .unwrap()
                .push(format!("{target} auth={authorized}"));
            let body = if target.starts_with("/api/ce/task") {
                r#"{"task":{"id":"T1","status":"SUCCESS"}}"#.to_string()
            } else if target.starts_with("/api/issues/search") {
                issues.clone()
            } else if target.starts_with("/api/hotspots/search") {
                hotspots.clone()
            } else {
                String::new()
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    (base, seen)
}

/// sonar-scanner leaves no report: its results are fetched from the server it sent them to.
/// The scanner here is a stand-in that writes the metadata file the real one writes.
#[tokio::test]
async fn sonar_results_are_fetched_from_the_server() {
    let bench = Bench::new();
    bench.tool(
        "sonar-scanner",
        r#"for arg in "$@"; do
  case "$arg" in
    -Dsonar.scanner.metadataFilePath=*) meta="${arg#*=}" ;;
    -Dsonar.projectKey=*) key="${arg#*=}" ;;
  esac
done
printf 'projectKey=%s\nserverUrl=%s\nceTaskId=T1\nceTaskUrl=%s/api/ce/task?id=T1\n' "$key" "$SONAR_HOST_URL" "$SONAR_HOST_URL" > "$meta""#,
    );
    let (base, seen) = sonarqube_stand_in().await;
    let mut config = bench.config();
    config.project = "shop".to_string();
    config.env = vec![
        ("SONAR_HOST_URL".to_string(), base),
        ("SONAR_TOKEN".to_string(), "tok".to_string()),
    ];
    let done = completed(
        run(
            adapter("sonar-scanner").unwrap(),
            &Target::Directory(bench.tree()),
            &config,
        )
        .await,
    );
    // The corpus counts: 5 issues and 4 hotspots.
    assert_eq!(done.findings.len(), 9);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "/api/ce/task?id=T1 auth=true",
            "/api/issues/search?componentKeys=shop&ps=500&p=1 auth=true",
            "/api/hotspots/search?projectKey=shop&ps=500&p=1 auth=true",
        ]
    );
    bench.assert_scratch_empty();
}
