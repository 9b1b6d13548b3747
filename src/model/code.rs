//! "Get code": the request of a turn (or the one Generate would send now) as
//! three programs (`gemini::codegen`), what the dialog says about them, and the
//! ZIP that **Download code and images** saves.

use formats::zip::{Data, Modified, ZipWriter};
use gemini::codegen::{self, Code, CodegenError, Images, Program, Target};
use gemini::request::{build, human_bytes, RequestBody, RequestError};
use gemini::KeyHeader;

use super::conversation::history;
use super::labels::count;
use super::TurnData;

/// The most base64 the code shown (and copied) pastes images as: past it, the
/// programs read the images from files, which only the ZIP holds.
pub const INLINE_LIMIT: usize = 100 * 1024;

/// What the code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Turn `n` (from 1) of the conversation on screen: the request it sent.
    Turn(usize),
    /// The request Generate would send now.
    Next,
}

/// The three languages, in the order of the dialog's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Curl,
    Python,
    JavaScript,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Curl, Lang::Python, Lang::JavaScript];

    /// The tab's name.
    pub const fn label(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Python => "Python",
            Lang::JavaScript => "JavaScript",
        }
    }

    /// For element ids.
    pub const fn id(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
        }
    }

    /// How to run the program, with what it needs.
    pub fn how_to_run(self) -> String {
        match self {
            Lang::Curl => format!(
                "Run with sh {} (needs curl, base64 and awk).",
                codegen::CURL_FILE
            ),
            Lang::Python => format!(
                "Run with python3 {} after pip install {}.",
                codegen::PYTHON_FILE,
                codegen::PYTHON_PACKAGE
            ),
            Lang::JavaScript => format!(
                "Run with node {} after npm install {}.",
                codegen::JAVASCRIPT_FILE,
                codegen::JAVASCRIPT_PACKAGE
            ),
        }
    }

    /// The tab before or after this one, wrapping around (arrow keys).
    pub fn step(self, forward: bool) -> Lang {
        let i = Lang::ALL.iter().position(|l| *l == self).unwrap_or(0);
        let n = Lang::ALL.len();
        let j = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        Lang::ALL.get(j).copied().unwrap_or(Lang::Curl)
    }

    pub fn program(self, code: &Code) -> &Program {
        match self {
            Lang::Curl => &code.curl,
            Lang::Python => &code.python,
            Lang::JavaScript => &code.javascript,
        }
    }
}

/// The code of one request, as the dialog shows it and as the ZIP holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GotCode {
    pub subject: Subject,
    /// What the dialog shows and Copy copies: images pasted in while they fit
    /// [`INLINE_LIMIT`], else read from files.
    pub shown: Code,
    /// What the ZIP holds: programs that read the image files beside them.
    pub files: Code,
    /// Where the programs send the request.
    pub url: String,
    pub key_header: KeyHeader,
}

/// The absolute base URL the studio's requests go to, for code that runs
/// elsewhere: an `http(s)://` base as it is; this site's proxy (`""`) or a path
/// on this site (`/gemini`) on the page's origin, as the browser resolves the
/// root-relative URL the studio posts to.
pub fn absolute_base(base_url: &str, page_origin: &str) -> String {
    let base = base_url.trim().trim_end_matches('/');
    let lower = base.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        base.to_owned()
    } else {
        format!("{}{base}", page_origin.trim_end_matches('/'))
    }
}

/// The request turn `index` (from 0) of `turns` sent: the conversation before
/// it (with the variants chosen now), its own prompt and images, its settings.
/// `None` if there is no such turn.
pub fn turn_request<'a, I>(
    turns: &[(&'a TurnData<I>, usize)],
    index: usize,
) -> Option<Result<RequestBody<'a>, RequestError>> {
    let (turn, _) = *turns.get(index)?;
    let before = turns.get(..index).unwrap_or_default();
    Some(build(
        &turn.settings,
        history(before.iter().copied()),
        &turn.user,
    ))
}

impl GotCode {
    /// The programs for `body`, sent to `base` (absolute) for `model` with the
    /// key in `key_header`.
    pub fn new(
        subject: Subject,
        body: &RequestBody<'_>,
        base: &str,
        model: &str,
        key_header: KeyHeader,
    ) -> Result<Self, CodegenError> {
        let target = Target {
            base,
            model,
            key_header,
        };
        let files = codegen::generate(body, &target, Images::Files)?;
        let shown = if files.files.is_empty() {
            files.clone()
        } else {
            codegen::generate(
                body,
                &target,
                Images::Inline {
                    max_base64: INLINE_LIMIT,
                },
            )?
        };
        let url = gemini::request::endpoint(base, model)
            .map_err(|_| CodegenError::InvalidModelId(model.to_owned()))?;
        Ok(Self {
            subject,
            shown,
            files,
            url,
            key_header,
        })
    }

    /// What the dialog says the code is.
    pub fn intro(&self) -> String {
        match self.subject {
            Subject::Turn(n) => format!(
                "The request turn {n} sent: the conversation before it, its prompt and images, and its settings."
            ),
            Subject::Next => "The request Generate would send now: the conversation so far, the prompt and images in the composer, and the current settings.".to_owned(),
        }
    }

    /// Where it goes and where the key comes from.
    pub fn target_line(&self) -> String {
        format!(
            "POST {} · the key from the environment variable GEMINI_API_KEY, sent as {}",
            self.url,
            self.key_header.label()
        )
    }

    /// When this site's proxy adds the key (`config.json` `proxyHoldsKey`) and the
    /// code goes to it: the programs still want a `GEMINI_API_KEY`, which the
    /// proxy replaces with its own.
    pub fn proxy_note(proxy_holds_key: bool, base_url: &str) -> Option<String> {
        let to_this_site = !base_url.trim().to_ascii_lowercase().starts_with("http");
        (proxy_holds_key && to_this_site).then(|| {
            "This site's proxy adds its own API key: set GEMINI_API_KEY to any value, such as proxy.".to_owned()
        })
    }

    /// Whether the images are in the code shown, and what to do if not.
    pub fn images_note(&self) -> Option<String> {
        let files = &self.files.files;
        if files.is_empty() {
            return None;
        }
        let bytes: usize = files
            .iter()
            .map(|f| gemini::request::decoded_len(&f.data))
            .sum();
        let what = format!(
            "{} ({})",
            count(files.len(), "image"),
            human_bytes(bytes as u64)
        );
        let limit = human_bytes(INLINE_LIMIT as u64);
        Some(if self.shown.inline {
            format!("Images: {what}, pasted into this code as base64 (Copy pastes images up to {limit} in all).")
        } else {
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            format!(
                "Images: {what}, too big to paste (over {limit} in all), so this code reads them from files beside it ({}). Download code and images saves them with the code.",
                names.join(", ")
            )
        })
    }

    /// The folder the ZIP holds everything in, and the ZIP's name before `.zip`.
    pub fn folder(&self) -> String {
        match self.subject {
            Subject::Turn(n) => format!("gemini-code-turn-{n}"),
            Subject::Next => "gemini-code-next-turn".to_owned(),
        }
    }

    /// The ZIP's `README.txt`: what the programs do and how to run them.
    pub fn readme(&self) -> String {
        let what = match self.subject {
            Subject::Turn(n) => format!("the request of turn {n}"),
            Subject::Next => "the next turn's request".to_owned(),
        };
        let mut s = format!(
            "Gemini Studio: {what}, as code.\n\n\
             Each program sends the same request to\n  {}\n\
             with the API key from the environment variable GEMINI_API_KEY (sent as {}),\n\
             prints the model's text and writes the final image to result.png (or .jpg, .webp).\n\n\
             \x20 export GEMINI_API_KEY=...   # your key\n\n",
            self.url,
            self.key_header.label()
        );
        for lang in Lang::ALL {
            s.push_str(&format!("{}: {}\n", lang.label(), lang.how_to_run()));
        }
        if !self.files.files.is_empty() {
            let names: Vec<&str> = self.files.files.iter().map(|f| f.name.as_str()).collect();
            s.push_str(&format!(
                "\nThe programs read the images beside them: {}.\n",
                names.join(", ")
            ));
        }
        s
    }

    /// Writes the ZIP, piece by piece to `put`: README.txt, the three programs
    /// and the image files, in a folder. One image is decoded at a time, so
    /// `put` can hand each piece to the browser and let it go.
    pub fn write_zip<E>(
        &self,
        modified: Modified,
        mut put: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), ZipFailure<E>> {
        let folder = self.folder();
        let mut zip = ZipWriter::new();
        let mut text = |zip: &mut ZipWriter, name: &str, body: &[u8]| {
            let header = zip
                .entry_header(&format!("{folder}/{name}"), Data::Bytes(body), modified)
                .map_err(|e| ZipFailure::Zip(e.to_string()))?;
            put(&header).map_err(ZipFailure::Put)?;
            put(body).map_err(ZipFailure::Put)
        };
        text(&mut zip, "README.txt", self.readme().as_bytes())?;
        for p in self.files.programs() {
            text(&mut zip, p.name, p.text.as_bytes())?;
        }
        for f in &self.files.files {
            let bytes = f.bytes().map_err(ZipFailure::Code)?;
            text(&mut zip, &f.name, &bytes)?;
        }
        put(&zip.finish()).map_err(ZipFailure::Put)
    }
}

/// Why the ZIP was not written.
#[derive(Debug)]
pub enum ZipFailure<E> {
    Code(CodegenError),
    Zip(String),
    /// `put` failed.
    Put(E),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::turn::tests::turn;
    use gemini::request::user_content;
    use gemini::wire::Part;
    use gemini::Settings;

    const PNG_B64: &str = "iVBORw0KGgo=";

    fn body_with_images<'a>(next: &'a gemini::wire::Content) -> RequestBody<'a> {
        build(&Settings::default(), [], next).unwrap()
    }

    #[test]
    fn the_base_is_where_the_studio_posts() {
        let page = "https://example.org";
        assert_eq!(absolute_base("", page), "https://example.org");
        assert_eq!(
            absolute_base("/gemini/", page),
            "https://example.org/gemini"
        );
        assert_eq!(
            absolute_base("https://api.cometapi.com/", page),
            "https://api.cometapi.com"
        );
        assert_eq!(
            absolute_base("HTTP://localhost:8787", page),
            "HTTP://localhost:8787"
        );
        // The studio posts to a root-relative URL: the same place in the end.
        let url = gemini::request::endpoint("", "m").unwrap();
        assert!(url.starts_with("/v1beta/"));
        assert_eq!(
            format!("{}{url}", absolute_base("", page)),
            format!("https://example.org/v1beta/models/m:generateContent")
        );
    }

    #[test]
    fn a_turn_sends_the_conversation_before_it() {
        let turns = [
            turn("one", &[true]),
            turn("two", &[false, true]),
            turn("three", &[true]),
        ];
        let pairs: Vec<_> = turns.iter().map(|t| (t, t.valid_choice(0))).collect();
        let body = turn_request(&pairs, 2).unwrap().unwrap();
        assert_eq!(body.contents.len(), 5);
        assert_eq!(*body.contents[4], turns[2].user);
        assert_eq!(*body.contents[3], turns[1].answer(1).unwrap().model);
        let first = turn_request(&pairs, 0).unwrap().unwrap();
        assert_eq!(first.contents.len(), 1);
        assert!(turn_request(&pairs, 3).is_none());
    }

    #[test]
    fn small_images_are_pasted_big_ones_are_files() {
        let small = user_content(
            "a cat",
            [Part::image_shared("image/png", PNG_B64.to_owned().into())],
        );
        let got = GotCode::new(
            Subject::Next,
            &body_with_images(&small),
            "https://example.org",
            gemini::models::DEFAULT_MODEL,
            KeyHeader::GoogApiKey,
        )
        .unwrap();
        assert!(got.shown.inline);
        assert!(!got.files.inline);
        assert_eq!(got.files.files.len(), 1);
        assert!(got.images_note().unwrap().contains("pasted into this code"));
        assert!(got.shown.python.text.contains(PNG_B64));
        assert!(!got.files.python.text.contains(PNG_B64));
        assert_eq!(got.folder(), "gemini-code-next-turn");
        assert!(got
            .target_line()
            .starts_with("POST https://example.org/v1beta/models/"));

        let big = "A".repeat(INLINE_LIMIT + 4);
        let large = user_content("a cat", [Part::image_shared("image/png", big.into())]);
        let got = GotCode::new(
            Subject::Turn(2),
            &body_with_images(&large),
            "https://example.org",
            gemini::models::DEFAULT_MODEL,
            KeyHeader::Bearer,
        )
        .unwrap();
        assert!(!got.shown.inline && got.shown.inline_limit_hit);
        let note = got.images_note().unwrap();
        assert!(
            note.contains("too big to paste") && note.contains("image-1.png"),
            "{note}"
        );
        assert!(got.readme().contains("Authorization: Bearer"));
        assert!(got.readme().contains("image-1.png"));

        let none = user_content("a cat", []);
        let got = GotCode::new(
            Subject::Turn(1),
            &body_with_images(&none),
            "https://example.org",
            gemini::models::DEFAULT_MODEL,
            KeyHeader::GoogApiKey,
        )
        .unwrap();
        assert_eq!(got.images_note(), None);
        assert!(got.intro().contains("turn 1"));
    }

    #[test]
    fn behind_a_key_holding_proxy_any_key_will_do() {
        assert!(GotCode::proxy_note(true, "").is_some());
        assert!(GotCode::proxy_note(true, "/gemini").is_some());
        assert_eq!(GotCode::proxy_note(true, "https://api.cometapi.com"), None);
        assert_eq!(GotCode::proxy_note(false, ""), None);
    }

    #[test]
    fn tabs_step_around() {
        assert_eq!(Lang::Curl.step(true), Lang::Python);
        assert_eq!(Lang::JavaScript.step(true), Lang::Curl);
        assert_eq!(Lang::Curl.step(false), Lang::JavaScript);
        assert!(Lang::Python.how_to_run().contains(codegen::PYTHON_PACKAGE));
    }

    #[test]
    fn the_zip_holds_the_programs_and_the_images() {
        let img = user_content(
            "a cat",
            [
                Part::image_shared("image/png", PNG_B64.to_owned().into()),
                Part::image_shared("image/jpeg", "/9j/4A==".to_owned().into()),
            ],
        );
        let got = GotCode::new(
            Subject::Turn(3),
            &body_with_images(&img),
            "https://example.org",
            gemini::models::DEFAULT_MODEL,
            KeyHeader::GoogApiKey,
        )
        .unwrap();
        let mut zip = Vec::new();
        let mut pieces = 0;
        got.write_zip(Modified::utc(1.7e12), |p| {
            pieces += 1;
            zip.extend_from_slice(p);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(pieces, 2 * 6 + 1);
        let tail_at = formats::zip::tail_start(zip.len() as u64) as usize;
        let dir =
            formats::zip::find_end(&zip[tail_at..], zip.len() as u64, &Default::default()).unwrap();
        let start = dir.offset as usize;
        let entries =
            formats::zip::parse_directory(&zip[start..], &dir, &Default::default()).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "gemini-code-turn-3/README.txt",
                "gemini-code-turn-3/curl.sh",
                "gemini-code-turn-3/main.py",
                "gemini-code-turn-3/main.mjs",
                "gemini-code-turn-3/image-1.png",
                "gemini-code-turn-3/image-2.jpg",
            ]
        );
        let png = entries.iter().find(|e| e.name.ends_with(".png")).unwrap();
        let at = formats::zip::data_offset(&zip[png.header_offset as usize..], png).unwrap();
        let raw = &zip[at as usize..(at + png.compressed_size) as usize];
        assert_eq!(&*png.decode(raw).unwrap(), b"\x89PNG\r\n\x1a\n");
        // A failing `put` stops the ZIP.
        let failed = got.write_zip(Modified::utc(0.0), |_| Err("full"));
        assert!(matches!(failed, Err(ZipFailure::Put("full"))));
    }
}
