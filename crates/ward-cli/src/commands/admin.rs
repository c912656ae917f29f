//! `ward admin`: API keys, products and dashboard users, straight on the store the server
//! uses (same `--data-dir` / `--database`), so the first admin key exists before any request.
#![allow(clippy::print_stdout)]

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{bail, Context};
use ward_store::{ApiKeyId, NewApiKey, NewProduct, NewUser, Scope, Store};

use super::serve::DatabaseArgs;
use crate::output;

/// Arguments of `ward admin`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: AdminCommand,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, clap::Subcommand)]
enum AdminCommand {
    /// API keys: `create` (prints the key alone on stdout, once), `list`, `revoke`.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Products: `create`, `list`, `delete`.
    #[command(subcommand)]
    Product(ProductCommand),
    /// Dashboard users: `create`.
    #[command(subcommand)]
    User(UserCommand),
    /// Notification channels: `add`, `list` (secrets sealed with the master key).
    #[command(subcommand)]
    Channel(ChannelCommand),
    /// Re-encrypt every stored secret under the newest master key (list the new key first in
    /// WARD_MASTER_KEY or the key file, the old ones after it).
    RotateKey,
}

#[derive(Debug, clap::Subcommand)]
enum ChannelCommand {
    /// Add a channel. Its configuration is JSON, e.g. `{"type":"slack","url":"https://…"}`,
    /// read from stdin when CONFIG is `-` (keeps the URL out of shell history).
    Add {
        /// The channel's unique name, used by routing rules.
        name: String,
        /// The configuration JSON, or `-` for stdin.
        config: String,
    },
    /// List channels (secrets shown as ***).
    List,
}

#[derive(Debug, clap::Subcommand)]
enum KeyCommand {
    /// Create a key and print it alone on stdout. It is stored hashed and cannot be shown
    /// again.
    Create {
        /// What the key may do: read < import < triage < admin.
        #[arg(long, value_parser = ["read", "import", "triage", "admin"])]
        scope: String,
        /// Limit the key to these products (repeat the flag); default: every product.
        #[arg(long = "product", value_name = "NAME")]
        products: Vec<String>,
        /// A label for people, shown in listings and the audit trail [default: the scope
        /// and products].
        #[arg(long)]
        name: Option<String>,
    },
    /// List keys (never the keys themselves).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by id: it stops working at once.
    Revoke {
        /// The key's id (see `ward admin key list`).
        id: i64,
    },
}

#[derive(Debug, clap::Subcommand)]
enum ProductCommand {
    /// Create a product.
    Create {
        /// Its unique name.
        name: String,
        /// The owning team.
        #[arg(long)]
        team: Option<String>,
        /// Free text.
        #[arg(long)]
        description: Option<String>,
        /// A label (repeat the flag).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// List products.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a product and everything under it (engagements, reports, findings and their
    /// history, webhook, approvals, stored policy, queued jobs). Cannot be undone.
    Delete {
        /// The product's name.
        name: String,
        /// Confirm the deletion (refused without it).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
enum UserCommand {
    /// Create a dashboard user. The password is read from stdin (one line), or prompted for
    /// without echo on a terminal.
    Create {
        /// The login name.
        username: String,
        /// What the user may do.
        #[arg(long, default_value = "read", value_parser = ["read", "import", "triage", "admin"])]
        scope: String,
    },
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let AdminCommand::Product(ProductCommand::Delete { name, yes: false }) = &args.command {
        bail!(
            "deleting product `{name}` removes its engagements, reports and findings for good: \
             pass --yes to confirm"
        );
    }
    // Read before the runtime starts: a prompt must not wait inside async code.
    let input = match &args.command {
        AdminCommand::User(UserCommand::Create { .. }) => Some(read_password()?),
        AdminCommand::Channel(ChannelCommand::Add { config, .. }) if config == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("reading the channel configuration from stdin")?;
            Some(text)
        }
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = args.database.open().await?;
        run_command(store.as_ref(), &args.database, &args.command, input).await
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn run_command(
    store: &dyn Store,
    database: &DatabaseArgs,
    command: &AdminCommand,
    input: Option<String>,
) -> anyhow::Result<()> {
    match command {
        AdminCommand::Channel(command) => channel_command(store, database, command, input).await?,
        AdminCommand::RotateKey => {
            let Some(keyring) = database.keyring()? else {
                bail!("no master key is configured: set WARD_MASTER_KEY or --master-key-file");
            };
            let n = ward_server::notify::rotate_secrets(store, &keyring)
                .await
                .context("re-encrypting stored secrets")?;
            output::note(&format!(
                "re-encrypted {n} stored secret(s) under key {}",
                keyring.current_key_id()
            ));
        }
        AdminCommand::Key(KeyCommand::Create {
            scope,
            products,
            name,
        }) => {
            let scope = scope_of(scope)?;
            let products = (!products.is_empty()).then(|| products.clone());
            let name = name.clone().unwrap_or_else(|| match &products {
                Some(list) => format!("{scope} key for {}", list.join(", ")),
                None => format!("{scope} key"),
            });
            let created = store
                .create_api_key(&NewApiKey {
                    name,
                    scope,
                    products,
                })
                .await
                .context("creating the key")?;
            println!("{}", created.secret);
        }
        AdminCommand::Key(KeyCommand::List { json }) => {
            let keys = store.list_api_keys().await.context("listing keys")?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
                return Ok(());
            }
            println!("ID  PREFIX         SCOPE   REVOKED  PRODUCTS  NAME");
            for key in keys {
                println!(
                    "{:<3} {:<14} {:<7} {:<8} {:<9} {}",
                    key.id,
                    key.prefix,
                    key.scope,
                    if key.revoked_at.is_some() {
                        "yes"
                    } else {
                        "no"
                    },
                    key.products
                        .map_or_else(|| "all".to_string(), |p| p.join(",")),
                    key.name
                );
            }
        }
        AdminCommand::Key(KeyCommand::Revoke { id }) => {
            store
                .revoke_api_key(ApiKeyId(*id))
                .await
                .with_context(|| format!("revoking key {id}"))?;
            output::note(&format!("revoked key {id}"));
        }
        AdminCommand::Product(ProductCommand::Create {
            name,
            team,
            description,
            tags,
        }) => {
            let product = store
                .create_product(&NewProduct {
                    name: name.clone(),
                    description: description.clone(),
                    team: team.clone(),
                    tags: tags.clone(),
                    sla: None,
                })
                .await
                .with_context(|| format!("creating product `{name}`"))?;
            output::note(&format!(
                "created product {} `{}`",
                product.id, product.name
            ));
        }
        AdminCommand::Product(ProductCommand::List { json }) => {
            let products = store.list_products().await.context("listing products")?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&products)?);
                return Ok(());
            }
            println!("ID  NAME  TEAM  TAGS");
            for p in products {
                println!(
                    "{:<3} {}  {}  {}",
                    p.id,
                    p.name,
                    p.team.unwrap_or_default(),
                    p.tags.join(",")
                );
            }
        }
        AdminCommand::Product(ProductCommand::Delete { name, .. }) => {
            let product = store
                .product_by_name(name)
                .await
                .with_context(|| format!("finding product `{name}`"))?
                .with_context(|| format!("product `{name}` not found"))?;
            store
                .delete_product(product.id)
                .await
                .with_context(|| format!("deleting product `{name}`"))?;
            output::note(&format!(
                "deleted product {} `{}` and everything under it",
                product.id, product.name
            ));
        }
        AdminCommand::User(UserCommand::Create { username, scope }) => {
            let Some(password) = input else {
                bail!("no password was read");
            };
            let user = store
                .create_user(&NewUser {
                    username: username.clone(),
                    password,
                    scope: scope_of(scope)?,
                })
                .await
                .with_context(|| format!("creating user `{username}`"))?;
            output::note(&format!("created user {} `{}`", user.id, user.username));
        }
    }
    Ok(())
}

async fn channel_command(
    store: &dyn Store,
    database: &DatabaseArgs,
    command: &ChannelCommand,
    stdin: Option<String>,
) -> anyhow::Result<()> {
    match command {
        ChannelCommand::Add { name, config } => {
            let Some(keyring) = database.keyring()? else {
                bail!(
                    "no master key is configured: set WARD_MASTER_KEY or --master-key-file \
                     (channel secrets are only stored encrypted)"
                );
            };
            let text = stdin.as_deref().unwrap_or(config);
            let config: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(text).context("reading the channel configuration JSON")?;
            let http = ward_notify::HttpClient::new(std::time::Duration::from_secs(15))
                .context("starting the HTTP client")?;
            let channel = ward_server::notify::prepare_channel(&keyring, &http, name, &config)
                .with_context(|| format!("channel `{name}`"))?;
            let created = store
                .create_channel(&channel)
                .await
                .with_context(|| format!("creating channel `{name}`"))?;
            output::note(&format!(
                "created {} channel {} `{}`",
                created.kind, created.id, created.name
            ));
        }
        ChannelCommand::List => {
            println!("ID  TYPE        NAME  CONFIG");
            for c in store.list_channels().await.context("listing channels")? {
                let shown = ward_server::notify::secrets::redact(&c.config);
                println!("{:<3} {:<11} {}  {shown}", c.id, c.kind, c.name);
            }
        }
    }
    Ok(())
}

fn scope_of(name: &str) -> anyhow::Result<Scope> {
    Scope::parse(name).with_context(|| format!("unknown scope `{name}`"))
}

/// The password: prompted for without echo on a terminal, else the first line of stdin.
fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("password: ").context("reading the password")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if password.is_empty() {
        bail!("the password is empty");
    }
    Ok(password)
}
