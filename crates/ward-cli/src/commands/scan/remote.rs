//! `ward scan --remote URL`: the client of a ward server's scan service. It sends the scan
//! request (PATH packed as a tar.gz archive, a git URL and ref, or an image tarball) to
//! `POST /api/v1/scans`, polls `GET /api/v1/scans/{id}` with backoff while a progress line
//! shows where the job is, downloads the report from its signed URL, and then does what a
//! local `ward scan` followed by `ward gate` does: the policy's suppressions, the report
//! written in `--to` format to `--output`, and the verdict as the exit code.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use serde::Deserialize;
use ward_jobs::FailureReport;

use super::{describe, write_report, Args, Settings};
use crate::commands::convert::default_time;
use crate::{load, output};

/// The exit code when the scan job itself failed (a scanner missing or crashing, a source
/// that cannot be fetched): the pipeline did not get a verdict.
pub(crate) const JOB_FAILED: u8 = 3;

/// The first wait between two polls; it grows by half each time up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(200);
const MAX_POLL: Duration = Duration::from_secs(5);

/// What the server says about a scan job (the fields this client reads).
#[derive(Debug, Deserialize)]
struct ScanView {
    id: i64,
    state: String,
    attempts: u32,
    max_attempts: u32,
    error: Option<String>,
    links: std::collections::BTreeMap<String, String>,
}

pub(super) fn run(args: &Args, server: &str) -> anyhow::Result<ExitCode> {
    let base = server_url(server)?;
    let Some(key) = args.api_key.as_deref().filter(|k| !k.trim().is_empty()) else {
        bail!("--remote needs an API key with scope `import`: --api-key or WARD_API_KEY");
    };
    let (Some(product), Some(engagement)) = (&args.product, &args.engagement) else {
        bail!("--remote needs --product and --engagement: the findings are imported there");
    };
    let scanners = scanners(args)?;
    // Read the policy before sending anything: a bad ward.toml is an error either way.
    let settings = Settings::read(args)?;
    let request = serde_json::json!({
        "scanners": scanners,
        "product": product,
        "engagement": engagement,
    });
    let body = if let Some(url) = &args.git {
        let mut request = request;
        request["source"] = serde_json::json!({"git": {"url": url, "reference": args.git_ref}});
        Body::Json(request)
    } else if let Some(image) = &args.image {
        let bytes = std::fs::read(image).with_context(|| format!("reading {}", image.display()))?;
        Body::Upload {
            request,
            part: "image",
            file_name: "image.tar",
            bytes,
        }
    } else {
        let bytes = pack(&args.path).with_context(|| format!("packing {}", args.path.display()))?;
        Body::Upload {
            request,
            part: "archive",
            file_name: "source.tar.gz",
            bytes,
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let client = Client::new(base, key)?;
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    let show_progress = !args.quiet && output::stderr_is_terminal();
    let ending = runtime.block_on(async {
        let job = client.submit(body).await?;
        let job = client.wait(job, deadline, show_progress).await?;
        let report_url = job
            .links
            .get("report")
            .ok_or_else(|| anyhow!("the server gave no report link for job {}", job.id))?;
        let bytes = client.download(report_url, deadline).await?;
        anyhow::Ok((job, bytes))
    })?;
    let (job, bytes) = ending;
    if job.state == "failed" {
        output::note(&failure_text(&job, &bytes));
        return Ok(ExitCode::from(JOB_FAILED));
    }
    let name = format!("the report of scan job {}", job.id);
    let mut report = load::parse(&name, &bytes, Some("ward"))?.report;
    let today = crate::commands::gate::today();
    let suppressed = ward_policy::suppress(&settings.policy, &mut report.findings, today);
    let policy_name = settings.name();
    for s in &suppressed.expired {
        output::warning(&format!(
            "{policy_name} line {}: the suppression ({}) expired on {}; its {} finding(s) stay open",
            s.line, s.what, s.expires, s.n_findings
        ));
    }
    write_report(args, &report, default_time()?.rfc3339())?;
    if !args.quiet && output::stderr_is_terminal() {
        output::note(&describe(&report, &suppressed, &policy_name));
    }
    let verdict = ward_policy::evaluate(&settings.policy, &report.findings, None, today);
    if !args.quiet {
        output::note(crate::commands::gate::describe(&verdict).trim_end());
    }
    Ok(if verdict.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--scanners` as adapter ids (default: `secrets`, or `trivy-image` for --image), each
/// checked against the scanners a job can run.
fn scanners(args: &Args) -> anyhow::Result<Vec<String>> {
    let scanners: Vec<String> = match &args.scanners {
        Some(list) => list.iter().map(|s| s.trim().to_string()).collect(),
        None if args.image.is_some() => vec!["trivy-image".to_string()],
        None => vec!["secrets".to_string()],
    };
    for name in &scanners {
        if ward_jobs::adapters::adapter(name).is_none() {
            let known: Vec<&str> = ward_jobs::ADAPTERS.iter().map(|a| a.id).collect();
            bail!(
                "unknown scanner `{name}` for --remote (known: {})",
                known.join(", ")
            );
        }
    }
    Ok(scanners)
}

/// The server's base URL, checked.
fn server_url(server: &str) -> anyhow::Result<url::Url> {
    let url =
        url::Url::parse(server).with_context(|| format!("--remote `{server}` is not a URL"))?;
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        bail!("--remote `{server}` is not an http(s) URL");
    }
    Ok(url)
}

/// A file, or a directory's files (hidden ones included; `.git`, what .gitignore and
/// .ignore files exclude, and symbolic links left out), as a tar.gz archive in memory.
fn pack(path: &Path) -> anyhow::Result<Vec<u8>> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    if path.is_file() {
        let name = path
            .file_name()
            .ok_or_else(|| anyhow!("{} has no file name", path.display()))?;
        tar.append_path_with_name(path, name)
            .with_context(|| format!("reading {}", path.display()))?;
    } else {
        let walk = ignore::WalkBuilder::new(path)
            .hidden(false)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(|entry| entry.file_name() != ".git")
            .build();
        for entry in walk {
            let entry = entry?;
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let relative = entry
                .path()
                .strip_prefix(path)
                .context("a walked file outside the directory")?;
            tar.append_path_with_name(entry.path(), relative)
                .with_context(|| format!("reading {}", entry.path().display()))?;
        }
    }
    let gz = tar.into_inner().context("finishing the archive")?;
    gz.finish().context("compressing the archive")
}

/// What `POST /api/v1/scans` is sent.
enum Body {
    /// A JSON scan request naming its source (a git repository).
    Json(serde_json::Value),
    /// The request part followed by the uploaded file.
    Upload {
        request: serde_json::Value,
        part: &'static str,
        file_name: &'static str,
        bytes: Vec<u8>,
    },
}

/// The HTTP side: one connection pool, the server and the key.
struct Client {
    http: reqwest::Client,
    base: url::Url,
    key: String,
}

impl Client {
    fn new(base: url::Url, key: &str) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .build()
            .context("starting the HTTP client")?;
        Ok(Client {
            http,
            base,
            key: key.to_string(),
        })
    }

    /// `base` + `api/v1/scans` (+ `/{id}`).
    fn scans_url(&self, id: Option<i64>) -> anyhow::Result<url::Url> {
        let mut url = self.base.clone();
        let mut segments = url
            .path_segments_mut()
            .map_err(|()| anyhow!("--remote `{}` is not a base URL", self.base))?;
        segments.pop_if_empty().extend(["api", "v1", "scans"]);
        if let Some(id) = id {
            segments.push(&id.to_string());
        }
        drop(segments);
        Ok(url)
    }

    async fn submit(&self, body: Body) -> anyhow::Result<ScanView> {
        let url = self.scans_url(None)?;
        let request = self.http.post(url.clone()).bearer_auth(&self.key);
        let request = match body {
            Body::Json(json) => request.json(&json),
            Body::Upload {
                request: fields,
                part,
                file_name,
                bytes,
            } => {
                let fields = reqwest::multipart::Part::text(fields.to_string())
                    .mime_str("application/json")?;
                let upload = reqwest::multipart::Part::bytes(bytes).file_name(file_name);
                request.multipart(
                    reqwest::multipart::Form::new()
                        .part("request", fields)
                        .part(part, upload),
                )
            }
        };
        let response = request
            .send()
            .await
            .with_context(|| format!("connecting to {}", origin(&url)))?;
        let response = refused(response, "submitting the scan").await?;
        response
            .json()
            .await
            .context("the server's reply to the scan request is not a scan job")
    }

    /// Polls the job until it has succeeded or failed (or the deadline passes), showing its
    /// state on a progress line.
    async fn wait(
        &self,
        mut job: ScanView,
        deadline: Instant,
        show_progress: bool,
    ) -> anyhow::Result<ScanView> {
        let bar = progress(show_progress);
        let url = self.scans_url(Some(job.id))?;
        let mut pause = FIRST_POLL;
        while job.state != "succeeded" && job.state != "failed" {
            bar.set_message(format!(
                "scan job {}: {} (attempt {} of {})",
                job.id, job.state, job.attempts, job.max_attempts
            ));
            if Instant::now() + pause > deadline {
                bar.finish_and_clear();
                bail!(
                    "scan job {} is still {} after the --timeout; it keeps running on the \
                     server (GET {url})",
                    job.id,
                    job.state
                );
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 3 / 2).min(MAX_POLL);
            let response = self
                .http
                .get(url.clone())
                .bearer_auth(&self.key)
                .timeout(Duration::from_secs(30))
                .send()
                .await
                .with_context(|| format!("connecting to {}", origin(&url)))?;
            job = refused(response, "asking for the scan job")
                .await?
                .json()
                .await
                .context("the server's reply is not a scan job")?;
        }
        bar.finish_and_clear();
        Ok(job)
    }

    /// Fetches a signed URL, waiting as its `Retry-After` says while the object is not there
    /// yet (a failed job's failure report is written just after the job is marked failed).
    async fn download(&self, url: &str, deadline: Instant) -> anyhow::Result<Vec<u8>> {
        let mut pause = FIRST_POLL;
        loop {
            let response = self
                .http
                .get(url)
                .send()
                .await
                .context("downloading the report")?;
            if response.status() == reqwest::StatusCode::NOT_FOUND
                && Instant::now() + pause < deadline
            {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_POLL);
                continue;
            }
            let response = refused(response, "downloading the report").await?;
            let bytes = response.bytes().await.context("downloading the report")?;
            return Ok(bytes.to_vec());
        }
    }
}

/// The response, or an error with the server's message when it refused.
async fn refused(response: reqwest::Response, doing: &str) -> anyhow::Result<reqwest::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let message = crate::commands::upload::error_message(response.text().await.unwrap_or_default());
    bail!("{doing}: the server answered {status}: {}", message.trim())
}

fn origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

/// A spinner on stderr with the job's state, or nothing.
fn progress(show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// What to tell about a failed job: its failure report's summary (or the server's error
/// when the report cannot be read).
fn failure_text(job: &ScanView, report: &[u8]) -> String {
    let mut text = format!(
        "error: scan job {} failed after {} attempt(s)",
        job.id, job.attempts
    );
    let Ok(report) = serde_json::from_slice::<FailureReport>(report) else {
        if let Some(error) = &job.error {
            text.push_str(&format!(": {error}"));
        }
        return text;
    };
    let reason = serde_json::to_value(report.reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    text.push_str(&format!(
        ": {}: {} ({reason})",
        report.scanner, report.message
    ));
    if let Some(code) = report.exit_code {
        text.push_str(&format!("\n  exit code {code}"));
    }
    if let Some(signal) = report.signal {
        text.push_str(&format!("\n  killed by signal {signal}"));
    }
    if !report.command.is_empty() {
        text.push_str(&format!("\n  command: {}", report.command.join(" ")));
    }
    for (name, tail) in [
        ("stderr", &report.stderr_tail),
        ("stdout", &report.stdout_tail),
    ] {
        let lines: Vec<&str> = tail.lines().collect();
        if lines.is_empty() {
            continue;
        }
        text.push_str(&format!("\n  last lines of its {name}:"));
        for line in &lines[lines.len().saturating_sub(10)..] {
            text.push_str(&format!("\n    {line}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_leaves_out_git_ignored_files_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/config"), "[core]\n").unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/app.py"), "print(1)\n").unwrap();
        std::fs::write(root.join(".env.example"), "A=1\n").unwrap();
        std::fs::write(root.join(".gitignore"), "*.log\n").unwrap();
        std::fs::write(root.join("debug.log"), "x\n").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("passwd")).unwrap();
        let bytes = pack(root).unwrap();
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, [".env.example", ".gitignore", "src/app.py"]);
    }

    #[test]
    fn server_urls_are_http_bases() {
        assert!(server_url("http://127.0.0.1:8080").is_ok());
        assert!(server_url("https://ward.example.com/prefix/").is_ok());
        for bad in ["127.0.0.1:8080", "ftp://host", "mailto:a@b", ""] {
            assert!(server_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn failure_text_names_scanner_reason_and_output() {
        let job = ScanView {
            id: 9,
            state: "failed".to_string(),
            attempts: 1,
            max_attempts: 3,
            error: Some("bandit exited with 2".to_string()),
            links: Default::default(),
        };
        let report = br#"{"scanner":"bandit","reason":"exit-code","message":"bandit exited with 2",
            "command":["bandit","-r","."],"exit_code":2,"signal":null,"stdout_tail":"",
            "stderr_tail":"one\ntwo\n","started_at":"2026-01-01T00:00:00Z","duration_ms":5}"#;
        let text = failure_text(&job, report);
        assert!(
            text.starts_with("error: scan job 9 failed after 1 attempt(s): bandit: bandit exited with 2 (exit-code)"),
            "{text}"
        );
        assert!(
            text.contains("exit code 2") && text.contains("    two"),
            "{text}"
        );
        let unreadable = failure_text(&job, b"<html>");
        assert!(
            unreadable.ends_with(": bandit exited with 2"),
            "{unreadable}"
        );
    }
}
