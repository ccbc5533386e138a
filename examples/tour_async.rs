//! The tour with the async client: create a collection, upload a file into
//! it, set a metadata field, list the collection, search by title,
//! download the file and verify it. The same requests as
//! `examples/tour.rs`, awaited; listings are streams. Its one iconik client
//! dependency is `iconik-async` (models come from there too).
//!
//! ```sh
//! cargo run --example tour_async
//! ```
//!
//! With no credentials it starts the emulator in-process (sample view
//! included) and needs nothing else. Against your iconik set
//! `ICONIK_APP_ID`, `ICONIK_AUTH_TOKEN` (and `ICONIK_BASE_URL` if not
//! app.iconik.io), plus `ICONIK_VIEW_ID` and `ICONIK_FIELD`: a metadata
//! view and one of its text fields. It creates one collection and one
//! asset there.

use std::path::Path;

use iconik_async::models::assets::{CollectionInput, FavoritesObject};
use iconik_async::models::metadata::MetadataValues;
use iconik_async::models::search::SearchCriteriaSchema;
use iconik_async::Client;
use iconik_emulator::{Emulator, EmulatorConfig, SAMPLE_FIELD_NAMES, SAMPLE_VIEW_ID};

/// The title the uploaded asset gets, and the search looks for.
const TITLE: &str = "iconik-rs async tour clip";

/// The metadata view and text field to write through.
pub struct Field {
    /// The view's id.
    pub view_id: String,
    /// The name of a text field of that view.
    pub name: String,
}

/// What the tour saw, for the test that runs it.
#[derive(Debug)]
pub struct Seen {
    /// Titles listed in the new collection.
    pub listed: Vec<String>,
    /// The metadata value iconik stored.
    pub metadata: Option<String>,
    /// Whether searching by title found the new asset.
    pub found_by_search: bool,
    /// Whether the download matched iconik's size and MD5.
    pub checksum_verified: bool,
    /// Whether the downloaded bytes are the uploaded ones.
    pub identical: bool,
}

#[tokio::main]
pub async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, field, _emulator) = connect()?;
    let dir = std::env::temp_dir().join(format!("iconik-tour-async-{}", std::process::id()));
    tokio::fs::create_dir_all(&dir).await?;
    let seen = run(&client, &field, &dir).await;
    tokio::fs::remove_dir_all(&dir).await?;
    // refuse new calls, wait for running ones
    client.close().await;
    println!("{:#?}", seen?);
    Ok(())
}

/// The tour, with its files in `dir`.
pub async fn run(
    client: &Client,
    field: &Field,
    dir: &Path,
) -> Result<Seen, Box<dyn std::error::Error>> {
    // 1. Create a collection. The request is the blocking client's;
    //    `.send()` returns a future here, run on the client's workers.
    let collection = client
        .assets()
        .post_collections(&CollectionInput::new("iconik-rs async tour"))
        .send()
        .await?;
    let collection_id = collection
        .id
        .clone()
        .ok_or("iconik sent no collection id")?;
    println!("collection {collection_id}");

    // 2. Upload a file into it: asset, format, file set, file record, the
    //    bytes to the storage, the file closed, the asset added to the
    //    collection, all on one worker. The report has the new ids.
    let source = dir.join("tour.txt");
    tokio::fs::write(&source, b"Hello from the iconik-rs async tour\n").await?;
    let upload = client
        .upload(&source)
        .title(TITLE)
        .collection_id(&collection_id)
        .send()
        .await?;
    println!(
        "uploaded {} bytes: asset {}, file {}",
        upload.size, upload.asset_id, upload.file_id
    );

    // 3. Set a metadata field through a view (values in iconik's shape,
    //    `{"<field>": {"field_values": [{"value": ...}]}}`, built for you).
    let stored = client
        .metadata()
        .put_object_metadata(
            "assets",
            &upload.asset_id,
            &field.view_id,
            &MetadataValues::of_field(&field.name, ["Shot for the tour"]),
        )
        .send()
        .await?;
    let metadata = stored.first_value(&field.name).map(str::to_owned);
    println!("{} = {metadata:?}", field.name);

    // 4. List the collection. `.items()` is a stream (`futures::Stream`
    //    too): each page is fetched on a worker when the loop needs it.
    //    Each item is an asset or a collection (`FavoritesObject`: iconik's
    //    favorites and collection contents share one shape).
    let mut items = client
        .assets()
        .get_collection_contents(&collection_id)
        .items();
    let mut listed = Vec::new();
    while let Some(item) = items.next().await {
        match item? {
            FavoritesObject::Assets(asset) => {
                println!("in the collection: asset {:?}", asset.title);
                listed.push(asset.title);
            }
            FavoritesObject::Collections(collection) => {
                println!("in the collection: collection {:?}", collection.title);
                listed.push(collection.title);
            }
            other => println!("in the collection: {other:?}"),
        }
    }

    // 5. Search by title: assets with TITLE in their title field. (A real
    //    iconik indexes a new asset within seconds; the emulator at once.)
    let by_title = SearchCriteriaSchema::new()
        .doc_types(vec!["assets".into()])
        .query(format!("\"{TITLE}\""))
        .search_fields(vec!["title".to_owned()]);
    let mut hits = client.search().post_search(&by_title).items();
    let mut found_by_search = false;
    while let Some(hit) = hits.next().await {
        if hit?.id.as_deref() == Some(upload.asset_id.as_str()) {
            found_by_search = true;
            break;
        }
    }
    println!("found by title: {found_by_search}");

    // 6. Download and verify: the bytes go to a temporary file beside the
    //    destination, are checked against iconik's size and MD5, then
    //    renamed into place.
    let dest = dir.join("tour.downloaded.txt");
    let download = client
        .download(&upload.asset_id, &upload.file_id, &dest)
        .send()
        .await?;
    let identical = tokio::fs::read(&source).await? == tokio::fs::read(&dest).await?;
    println!(
        "downloaded {} bytes, checksum verified: {}, identical: {identical}",
        download.size, download.checksum_verified
    );

    Ok(Seen {
        listed,
        metadata,
        found_by_search,
        checksum_verified: download.checksum_verified,
        identical,
    })
}

/// The iconik in the environment (with the view and field to write), or
/// an emulator started here with its sample view.
fn connect() -> Result<(Client, Field, Option<Emulator>), Box<dyn std::error::Error>> {
    if std::env::var_os("ICONIK_APP_ID").is_some() {
        let var = |name| std::env::var(name).map_err(|_| format!("{name} is not set"));
        let field = Field {
            view_id: var("ICONIK_VIEW_ID")?,
            name: var("ICONIK_FIELD")?,
        };
        return Ok((Client::from_env()?, field, None));
    }
    let emulator = Emulator::start(EmulatorConfig::new().seed_data(true))?;
    println!("(no credentials: started the emulator with sample data)");
    let client = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .build()?;
    let field = Field {
        view_id: SAMPLE_VIEW_ID.to_owned(),
        name: SAMPLE_FIELD_NAMES[0].to_owned(),
    };
    Ok((client, field, Some(emulator)))
}
