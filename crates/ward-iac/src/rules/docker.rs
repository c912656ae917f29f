//! Dockerfile rules: the user the image runs as, base image tags, ADD, secrets in ENV/ARG,
//! piping downloads into a shell, health checks, package manager hygiene.
//! Reference: the Dockerfile reference (<https://docs.docker.com/reference/dockerfile/>) and
//! Docker's build best practices.

use ward_core::Severity;

use crate::parsers::dockerfile::{Dockerfile, Instruction};
use crate::rules::secrets::is_secret_name;
use crate::rules::{rule, Check, Rule};

/// Every Dockerfile rule.
pub(crate) static RULES: &[&Rule] = &[
    &USER_ROOT,
    &USER_MISSING,
    &BASE_LATEST,
    &ADD_REMOTE,
    &ADD_INSTEAD_OF_COPY,
    &SECRET_IN_ENV,
    &CURL_PIPE_SHELL,
    &HEALTHCHECK_MISSING,
    &APT_RECOMMENDS,
    &APT_UPDATE_ALONE,
    &APT_USED,
    &SUDO,
    &MAINTAINER,
    &EXPOSE_SSH,
];

fn final_user(d: &Dockerfile) -> Option<&Instruction> {
    d.final_stage().iter().rev().find(|i| i.keyword == "USER")
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || name == "0"
}

rule! {
    /// Flags Dockerfiles whose final stage switches to `root` as its last `USER`.
    ///
    /// Why: the container's processes run as root; a breakout or a kernel bug then starts
    /// from the highest privilege.
    USER_ROOT {
        id: "docker-user-root",
        title: "Image runs as root",
        severity: Severity::High,
        check: Check::Dockerfile(|d, h| {
            if let Some(u) = final_user(d).filter(|u| is_root(&u.args)) {
                h.at(u.line);
            }
        }),
        remediation: "End the final stage with `USER` set to an unprivileged user (create it with `useradd`/`adduser` if needed).",
        references: &["https://docs.docker.com/reference/dockerfile/#user"],
        aliases: &["CKV_DOCKER_8"],
        fail: &[("Dockerfile", "FROM alpine:3.20\nUSER app\nRUN make\nUSER root\n")],
        pass: &[("Dockerfile", "FROM alpine:3.20\nUSER root\nRUN make\nUSER 10001\n")],
    }
}

rule! {
    /// Flags Dockerfiles whose final stage never sets a `USER`.
    ///
    /// Why: without `USER` the container runs as root unless every deployment overrides it.
    USER_MISSING {
        id: "docker-user-missing",
        title: "Image does not set a non-root user",
        severity: Severity::Medium,
        check: Check::Dockerfile(|d, h| {
            let from = d.final_stage().first();
            let scratch = from.is_some_and(|f| f.split_flags().1.split_whitespace().next() == Some("scratch"));
            if final_user(d).is_none() && !scratch && from.is_some() {
                h.at(from.map(|f| f.line).unwrap_or(1));
            }
        }),
        remediation: "Add `USER <non-root user>` to the final stage.",
        references: &["https://docs.docker.com/reference/dockerfile/#user"],
        aliases: &["CKV_DOCKER_3"],
        fail: &[("Dockerfile", "FROM python:3.12-slim\nCMD [\"python\"]\n")],
        pass: &[("Dockerfile", "FROM python:3.12-slim\nUSER nobody\nCMD [\"python\"]\n")],
    }
}

rule! {
    /// Flags `FROM` lines whose image has no tag or the `latest` tag (and no digest).
    /// Stage names and `scratch` are not images.
    ///
    /// Why: each build may start from a different image, so builds are not reproducible and
    /// a bad upstream push flows straight in.
    BASE_LATEST {
        id: "docker-base-image-latest",
        title: "Base image uses the latest tag or no tag",
        severity: Severity::Medium,
        check: Check::Dockerfile(|d, h| {
            let stages = d.stage_names();
            for from in d.all("FROM") {
                let image = from.split_flags().1.split_whitespace().next().unwrap_or("");
                let lower = image.to_ascii_lowercase();
                if lower == "scratch" || stages.contains(&lower) || image.contains('$') || image.contains('@') {
                    continue;
                }
                let last = image.rsplit('/').next().unwrap_or(image);
                match last.split_once(':') {
                    Some((_, tag)) if tag != "latest" => {}
                    _ => h.detail(from.line, format!("the base image is `{image}`")),
                }
            }
        }),
        remediation: "Pin the base image to a version tag, better a digest (`FROM alpine:3.20@sha256:…`).",
        references: &["https://docs.docker.com/reference/dockerfile/#from"],
        aliases: &["CKV_DOCKER_7"],
        fail: &[("Dockerfile", "FROM alpine\nRUN true\n")],
        pass: &[("Dockerfile", "FROM golang:1.23 AS build\nFROM build\nFROM scratch\n")],
    }
}

fn add_sources(i: &Instruction) -> Vec<&str> {
    let (_, rest) = i.split_flags();
    let words: Vec<&str> = rest.split_whitespace().collect();
    words
        .split_last()
        .map(|(_, sources)| sources.to_vec())
        .unwrap_or_default()
}

rule! {
    /// Flags `ADD` instructions that download from a URL.
    ///
    /// Why: the download is not verified (unless `--checksum` is given), happens at every
    /// cache miss and can change under the same URL.
    ADD_REMOTE {
        id: "docker-add-remote-url",
        title: "ADD downloads from a URL",
        severity: Severity::Medium,
        check: Check::Dockerfile(|d, h| {
            for i in d.all("ADD") {
                let checksum = i.split_flags().0.iter().any(|f| f.starts_with("--checksum"));
                if !checksum && add_sources(i).iter().any(|s| s.starts_with("http://") || s.starts_with("https://")) {
                    h.at(i.line);
                }
            }
        }),
        remediation: "Download with `curl`/`wget` in a `RUN` and verify a checksum or signature, or use `ADD --checksum=sha256:…`.",
        references: &["https://docs.docker.com/reference/dockerfile/#add"],
        aliases: &[],
        fail: &[("Dockerfile", "FROM alpine:3.20\nADD https://example.com/tool.tgz /opt/\n")],
        pass: &[("Dockerfile", "FROM alpine:3.20\nADD --checksum=sha256:abc https://example.com/tool.tgz /opt/\n")],
    }
}

rule! {
    /// Flags `ADD` used to copy local files.
    ///
    /// Why: `ADD` also unpacks archives and fetches URLs; using it for plain copies hides
    /// those side effects, so `COPY` is the safe default.
    ADD_INSTEAD_OF_COPY {
        id: "docker-add-instead-of-copy",
        title: "ADD is used instead of COPY",
        severity: Severity::Low,
        check: Check::Dockerfile(|d, h| {
            for i in d.all("ADD") {
                let remote = add_sources(i).iter().any(|s| s.contains("://") || s.starts_with("git@"));
                if !remote {
                    h.at(i.line);
                }
            }
        }),
        remediation: "Use `COPY` for local files.",
        references: &["https://docs.docker.com/build/building/best-practices/#add-or-copy"],
        aliases: &["CKV_DOCKER_4"],
        fail: &[("Dockerfile", "FROM alpine:3.20\nADD ./app /app\n")],
        pass: &[("Dockerfile", "FROM alpine:3.20\nCOPY ./app /app\n")],
    }
}

/// `KEY=value` pairs (or the legacy `KEY value`) of an ENV/ARG instruction.
fn assignments(i: &Instruction) -> Vec<(&str, Option<&str>)> {
    let args = i.args.trim();
    if !args.contains('=') {
        return match args.split_once(char::is_whitespace) {
            Some((k, v)) => vec![(k, Some(v.trim()))],
            None => vec![(args, None)],
        };
    }
    args.split_whitespace()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (k, Some(v.trim_matches(['"', '\'']))),
            None => (pair, None),
        })
        .collect()
}

rule! {
    /// Flags `ENV` instructions that set a credential-named variable to a literal value,
    /// and `ARG` instructions for credential-named build arguments.
    ///
    /// Why: ENV values are baked into the image config and every layer's history; build
    /// arguments end up in `docker history`. Anyone who can pull the image reads them.
    SECRET_IN_ENV {
        id: "docker-secret-in-env-or-arg",
        title: "Secret passed through ENV or ARG",
        severity: Severity::High,
        check: Check::Dockerfile(|d, h| {
            for i in d.instructions.iter().filter(|i| i.keyword == "ENV" || i.keyword == "ARG") {
                for (name, value) in assignments(i) {
                    if !is_secret_name(name) {
                        continue;
                    }
                    let literal = value.is_some_and(|v| !v.is_empty() && !v.starts_with('$'));
                    if i.keyword == "ARG" || literal {
                        h.detail(i.line, format!("`{name}` is set with {}", i.keyword));
                    }
                }
            }
        }),
        remediation: "Use BuildKit secret mounts (`RUN --mount=type=secret,id=…`) at build time and inject runtime secrets when the container starts.",
        references: &["https://docs.docker.com/build/building/secrets/"],
        aliases: &[],
        fail: &[("Dockerfile", "FROM alpine:3.20\nENV DB_PASSWORD=hunter2hunter2\n")],
        pass: &[("Dockerfile", "FROM alpine:3.20\nENV LOG_LEVEL=info\nRUN --mount=type=secret,id=npmrc cat /run/secrets/npmrc\n")],
    }
}

fn pipes_to_shell(run: &str) -> bool {
    run.split("&&").chain(run.split(';')).any(|part| {
        let Some((left, right)) = part.split_once('|') else {
            return false;
        };
        let fetch = left.contains("curl") || left.contains("wget");
        let shell = right.split_whitespace().next().is_some_and(|w| {
            let w = w.trim_start_matches("sudo").trim();
            [
                "sh",
                "bash",
                "zsh",
                "ash",
                "dash",
                "/bin/sh",
                "/bin/bash",
                "python",
                "python3",
                "perl",
            ]
            .contains(&w)
        }) || right.trim_start().starts_with("sudo sh")
            || right.trim_start().starts_with("sudo bash");
        fetch && shell
    })
}

rule! {
    /// Flags `RUN` instructions that pipe a download straight into a shell
    /// (`curl … | sh`, `wget -O- … | bash`).
    ///
    /// Why: whatever the server (or anyone in the middle) returns is executed as root in the
    /// build, unverified.
    CURL_PIPE_SHELL {
        id: "docker-curl-pipe-shell",
        title: "Download piped into a shell",
        severity: Severity::Medium,
        check: Check::Dockerfile(|d, h| {
            for i in d.all("RUN") {
                if pipes_to_shell(&i.args) {
                    h.at(i.line);
                }
            }
        }),
        remediation: "Download to a file, verify its checksum or signature, then run it; or install from a package manager.",
        references: &["https://docs.docker.com/build/building/best-practices/"],
        aliases: &[],
        fail: &[("Dockerfile", "FROM debian:12\nRUN curl -fsSL https://get.example.com/install.sh | sh\n")],
        pass: &[("Dockerfile", "FROM debian:12\nRUN curl -fsSLo /tmp/i.sh https://get.example.com/install.sh && sha256sum -c i.sha256 && sh /tmp/i.sh\n")],
    }
}

rule! {
    /// Flags Dockerfiles whose final stage has no `HEALTHCHECK`.
    ///
    /// Why: without a health check the engine (and Compose or Swarm) cannot tell a hung
    /// container from a healthy one. Kubernetes uses its own probes instead; suppress there.
    HEALTHCHECK_MISSING {
        id: "docker-healthcheck-missing",
        title: "Image has no HEALTHCHECK",
        severity: Severity::Low,
        check: Check::Dockerfile(|d, h| {
            if !d.final_stage().iter().any(|i| i.keyword == "HEALTHCHECK") && !d.instructions.is_empty() {
                h.at(d.final_stage().first().map(|i| i.line).unwrap_or(1));
            }
        }),
        remediation: "Add `HEALTHCHECK CMD <command that fails when the service is unhealthy>`.",
        references: &["https://docs.docker.com/reference/dockerfile/#healthcheck"],
        aliases: &["CKV_DOCKER_2"],
        fail: &[("Dockerfile", "FROM nginx:1.27\n")],
        pass: &[("Dockerfile", "FROM nginx:1.27\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n")],
    }
}

fn apt_installs(d: &Dockerfile, mut f: impl FnMut(&Instruction, &str)) {
    for i in d.all("RUN") {
        for part in i.args.split("&&") {
            let part = part.trim();
            if (part.contains("apt-get ") || part.starts_with("apt ") || part.contains(" apt "))
                && part.contains(" install")
            {
                f(i, part);
            }
        }
    }
}

rule! {
    /// Flags `apt-get install` without `--no-install-recommends`.
    ///
    /// Why: recommended packages are extra software in the image, extra attack surface and
    /// extra vulnerabilities to patch.
    APT_RECOMMENDS {
        id: "docker-apt-install-recommends",
        title: "apt-get install pulls recommended packages",
        severity: Severity::Low,
        check: Check::Dockerfile(|d, h| apt_installs(d, |i, part| {
            if !part.contains("--no-install-recommends") {
                h.at(i.line);
            }
        })),
        remediation: "Add `--no-install-recommends` to `apt-get install`.",
        references: &["https://docs.docker.com/build/building/best-practices/#apt-get"],
        aliases: &[],
        fail: &[("Dockerfile", "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n")],
        pass: &[("Dockerfile", "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n")],
    }
}

rule! {
    /// Flags `RUN` instructions that run `apt-get update` without installing in the same
    /// instruction.
    ///
    /// Why: the cached update layer is reused by later builds, which then install stale,
    /// possibly vulnerable package versions.
    APT_UPDATE_ALONE {
        id: "docker-apt-update-alone",
        title: "Package index update is cached separately from installs",
        severity: Severity::Low,
        check: Check::Dockerfile(|d, h| {
            for i in d.all("RUN") {
                let update = i.args.contains("apt-get update") || i.args.contains("apk update") || i.args.contains("yum makecache");
                if update && !i.args.contains(" install") && !i.args.contains(" add ") {
                    h.at(i.line);
                }
            }
        }),
        remediation: "Combine update and install in one `RUN` (`apt-get update && apt-get install -y …`).",
        references: &["https://docs.docker.com/build/building/best-practices/#apt-get"],
        aliases: &["CKV_DOCKER_5"],
        fail: &[("Dockerfile", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n")],
        pass: &[("Dockerfile", "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n")],
    }
}

rule! {
    /// Flags `RUN` instructions that use `apt` instead of `apt-get`.
    ///
    /// Why: `apt` is meant for interactive use; its output and behaviour are not stable for
    /// scripts and it warns so.
    APT_USED {
        id: "docker-apt-used",
        title: "apt is used instead of apt-get",
        severity: Severity::Low,
        check: Check::Dockerfile(|d, h| {
            for i in d.all("RUN") {
                if i.args.split(['&', ';', '|']).any(|p| p.trim().starts_with("apt ")) {
                    h.at(i.line);
                }
            }
        }),
        remediation: "Use `apt-get` in Dockerfiles.",
        references: &["https://docs.docker.com/build/building/best-practices/#apt-get"],
        aliases: &["CKV_DOCKER_9"],
        fail: &[("Dockerfile", "FROM debian:12\nRUN apt update && apt install -y curl\n")],
        pass: &[("Dockerfile", "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n")],
    }
}

rule! {
    /// Flags `RUN` instructions that use `sudo`.
    ///
    /// Why: `sudo` in an image means a user allowed to become root at run time, and has
    /// unpredictable TTY and signal behaviour during builds.
    SUDO {
        id: "docker-sudo",
        title: "sudo is used in a RUN instruction",
        severity: Severity::Medium,
        check: Check::Dockerfile(|d, h| {
            for i in d.all("RUN") {
                if i.args.split(['&', ';', '|']).any(|p| p.trim().starts_with("sudo ")) {
                    h.at(i.line);
                }
            }
        }),
        remediation: "Run privileged build steps before switching `USER`; do not install sudo in images.",
        references: &["https://docs.docker.com/build/building/best-practices/#user"],
        aliases: &[],
        fail: &[("Dockerfile", "FROM debian:12\nUSER app\nRUN sudo make install\n")],
        pass: &[("Dockerfile", "FROM debian:12\nRUN make install\nUSER app\n")],
    }
}

rule! {
    /// Flags the deprecated `MAINTAINER` instruction.
    ///
    /// Why: it is ignored by modern tooling; `LABEL maintainer=…` is the supported form.
    MAINTAINER {
        id: "docker-maintainer-deprecated",
        title: "Deprecated MAINTAINER instruction",
        severity: Severity::Info,
        check: Check::Dockerfile(|d, h| {
            for i in d.all("MAINTAINER") {
                h.at(i.line);
            }
        }),
        remediation: "Replace it with `LABEL org.opencontainers.image.authors=\"…\"`.",
        references: &["https://docs.docker.com/reference/dockerfile/#maintainer-deprecated"],
        aliases: &["CKV_DOCKER_6"],
        fail: &[("Dockerfile", "FROM alpine:3.20\nMAINTAINER someone\n")],
        pass: &[("Dockerfile", "FROM alpine:3.20\nLABEL org.opencontainers.image.authors=someone\n")],
    }
}

rule! {
    /// Flags images that expose the SSH port (22).
    ///
    /// Why: running an SSH server in a container adds credentials to manage and an
    /// internet-facing daemon; `docker exec`/`kubectl exec` cover the need.
    EXPOSE_SSH {
        id: "docker-expose-ssh",
        title: "Image exposes the SSH port",
        severity: Severity::Medium,
        check: Check::Dockerfile(|d, h| {
            for i in d.all("EXPOSE") {
                if i.args.split_whitespace().any(|p| p.split('/').next() == Some("22")) {
                    h.at(i.line);
                }
            }
        }),
        remediation: "Remove the SSH server and `EXPOSE 22`; use `exec` for debugging.",
        references: &["https://docs.docker.com/reference/dockerfile/#expose"],
        aliases: &["CKV_DOCKER_1"],
        fail: &[("Dockerfile", "FROM debian:12\nEXPOSE 22 80\n")],
        pass: &[("Dockerfile", "FROM debian:12\nEXPOSE 80\n")],
    }
}

#[cfg(test)]
mod tests {
    use super::pipes_to_shell;

    #[test]
    fn shell_pipes() {
        assert!(pipes_to_shell("curl -sL https://x | bash -"));
        assert!(pipes_to_shell(
            "apt-get update && wget -qO- https://x | sudo sh"
        ));
        assert!(!pipes_to_shell("curl -s https://x | tar xz"));
    }
}
