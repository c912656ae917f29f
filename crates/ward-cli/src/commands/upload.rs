//! `ward upload`: sends reports to a ward server's native import
//! (`POST /api/v1/products/{product}/engagements/{engagement}/imports`), one request per
//! file, and says what each import did. By default each file reimports: it updates the
//! engagement's test of its scan type, so a pipeline uploading on every run keeps one test
//! per tool.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};

use crate::{load, output};

/// Arguments of `ward upload`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Report files (any format `ward import` reads; detected by the server from the content).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The server's base URL (`https://ward.example.com`).
    #[arg(long, env = "WARD_SERVER", value_name = "URL")]
    server: String,
    /// The product name.
    #[arg(long)]
    product: String,
    /// The engagement name (a branch, a release, a pipeline).
    #[arg(long)]
    engagement: String,
    /// An API key with the import scope [default: $WARD_API_KEY].
    #[arg(long, env = "WARD_API_KEY", hide_env_values = true)]
    key: String,
    /// Create the product and engagement when missing.
    #[arg(long)]
    auto_create: bool,
    /// The owner team of a product created by --auto-create.
    #[arg(long)]
    team: Option<String>,
    /// Close open findings of the test that the report no longer has (as mitigated).
    #[arg(long)]
    close_old: bool,
    /// `reimport` (update the engagement's test of the same scan type) or `import` (always
    /// a new test).
    #[arg(long, default_value = "reimport", value_parser = ["import", "reimport"])]
    mode: String,
    /// The report format (`trivy`, `sarif`, … or a DefectDojo scan type); default: detected.
    #[arg(long)]
    format: Option<String>,
    /// Leave out findings less severe (critical, high, medium, low, info).
    #[arg(long)]
    min_severity: Option<String>,
    /// The test's title.
    #[arg(long)]
    title: Option<String>,
    /// A label for the test (repeat the flag).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Build metadata: the version scanned (DefectDojo's `version`).
    #[arg(long, value_name = "VERSION")]
    product_version: Option<String>,
    /// Build metadata: the branch or tag scanned.
    #[arg(long)]
    branch: Option<String>,
    /// Build metadata: the commit scanned.
    #[arg(long)]
    commit: Option<String>,
    /// Build metadata: the CI build id.
    #[arg(long)]
    build_id: Option<String>,
    /// Print the server's replies as a JSON array on stdout.
    #[arg(long)]
    json: bool,
    /// Refuse files larger than this many bytes.
    #[arg(long, default_value_t = load::DEFAULT_MAX_SIZE, value_name = "BYTES")]
    max_size: u64,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let url = import_url(args)?;
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(30))
        .timeout_read(Duration::from_secs(30 * 60))
        .build();
    let mut replies = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let bytes =
            load::read_limited(path, args.max_size).with_context(|| format!("reading {name}"))?;
        let reply =
            send(&agent, &url, &args.key, &bytes).with_context(|| format!("uploading {name}"))?;
        output::note(&summary(&name, &reply));
        replies.push(reply);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&replies)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// The import URL with the options as query parameters.
fn import_url(args: &Args) -> anyhow::Result<url::Url> {
    let mut url = url::Url::parse(args.server.trim_end_matches('/'))
        .with_context(|| format!("--server `{}` is not a URL", args.server))?;
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        bail!("--server `{}` is not an http(s) URL", args.server);
    }
    url.path_segments_mut()
        .map_err(|()| anyhow!("--server `{}` is not a base URL", args.server))?
        .pop_if_empty()
        .extend([
            "api",
            "v1",
            "products",
            &args.product,
            "engagements",
            &args.engagement,
            "imports",
        ]);
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("mode", &args.mode);
        if args.auto_create {
            query.append_pair("auto_create", "true");
        }
        if args.close_old {
            query.append_pair("close_old", "true");
        }
        let optional = [
            ("team", &args.team),
            ("format", &args.format),
            ("min_severity", &args.min_severity),
            ("title", &args.title),
            ("version", &args.product_version),
            ("branch", &args.branch),
            ("commit", &args.commit),
            ("build_id", &args.build_id),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        if !args.tags.is_empty() {
            query.append_pair("tags", &args.tags.join(","));
        }
    }
    Ok(url)
}

/// Posts one report; a refusal becomes an error carrying the server's message.
fn send(
    agent: &ureq::Agent,
    url: &url::Url,
    key: &str,
    report: &[u8],
) -> anyhow::Result<serde_json::Value> {
    let response = agent
        .post(url.as_str())
        .set("Authorization", &format!("Bearer {key}"))
        .set("Content-Type", "application/octet-stream")
        .send_bytes(report);
    match response {
        Ok(response) => response
            .into_json()
            .context("the server's reply is not JSON"),
        Err(ureq::Error::Status(status, response)) => {
            let message = error_message(response.into_string().unwrap_or_default());
            bail!("the server answered {status}: {message}")
        }
        Err(error) => Err(anyhow!(error).context(format!(
            "connecting to {}",
            url.origin().ascii_serialization()
        ))),
    }
}

/// One line per upload: `trivy.json: test 4 (trivy): 3 new, 10 unchanged, 0 reopened, 1 closed`.
fn summary(name: &str, reply: &serde_json::Value) -> String {
    let n = |key: &str| reply.get(key).and_then(|v| v.as_u64()).unwrap_or(0);
    let test = reply
        .pointer("/test/id")
        .and_then(|v| v.as_i64())
        .unwrap_or_default();
    let format = reply.get("format").and_then(|v| v.as_str()).unwrap_or("?");
    let mut line = format!(
        "{name}: test {test} ({format}): {} new, {} unchanged, {} reopened, {} closed",
        n("new"),
        n("unchanged"),
        n("reopened"),
        n("closed")
    );
    let warnings = reply
        .get("warnings")
        .and_then(|w| w.as_array())
        .map_or(0, Vec::len);
    if warnings > 0 {
        line.push_str(&format!("; {warnings} report entries skipped"));
    }
    line
}

/// What a ward server's error body says: its `message`, with the `field` it names, or the
/// body as it came when it is not ward's error JSON.
pub(crate) fn error_message(body: String) -> String {
    serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            let message = v.get("message")?.as_str()?.to_string();
            Some(match v.get("field").and_then(|f| f.as_str()) {
                Some(field) => format!("{message} (field `{field}`)"),
                None => message,
            })
        })
        .unwrap_or(body)
}
