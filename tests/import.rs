//! `haipedia import`: the 90 OCR'd SAKTI guides become a valid corpus without page furniture and
//! are found by search; PDF, DOCX and HTML documents made here are imported; bad documents
//! fail alone with a clear error; unchanged documents change nothing.

mod common;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use haipedia::corpus::Corpus;
use haipedia::import::{Action, Importer};
use haipedia::index::{IndexGeneration, IndexRoot};

/// The SAKTI guides beside the clone (CI lays shared/ there too).
fn guides() -> PathBuf {
    common::project().join("../shared/data/sakti-juknis")
}

/// The text of every `*.md` file in `dir`, by file name.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|f| {
            (
                f.file_name().to_string_lossy().into_owned(),
                fs::read_to_string(f.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The body of an entry file (after the front matter).
fn body(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").unwrap();
    &rest[rest.find("\n---\n").unwrap() + 5..]
}

#[test]
fn sakti_guides_import_into_a_valid_corpus_without_page_furniture() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("sakti");
    let (code, stdout, stderr) = common::haipedia(&[
        "import",
        guides().to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--category",
        "SAKTI",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("90 documents: 90 created, 0 updated, 0 unchanged, 0 failed"),
        "{stdout}"
    );
    let corpus = Corpus::load_dir(&out_dir).expect("the imported entries pass the loader");
    assert!(corpus.len() > 90, "{}", corpus.len());
    assert!(corpus
        .entries
        .iter()
        .all(|e| e.category.as_deref() == Some("SAKTI")));
    let (code, stdout, stderr) =
        common::haipedia(&["check", "--corpus", out_dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");

    let page_number = regex::Regex::new(r"^\s*-?\s*\d{1,4}\s*-?\s*$").unwrap();
    let image = regex::Regex::new(r"!\[[^\]]*\]\([^)]*\)").unwrap();
    let entries = files(&out_dir);
    for (name, text) in &entries {
        let mut in_code = false;
        for line in body(text).lines() {
            if line.starts_with("```") {
                in_code = !in_code;
            }
            if in_code
                || line.is_empty()
                || line.trim_start().starts_with('|')
                || line.starts_with("```")
            {
                continue;
            }
            assert!(!page_number.is_match(line), "{name}: page number {line:?}");
            assert!(!image.is_match(line), "{name}: image placeholder {line:?}");
            assert!(
                line.chars().any(char::is_alphanumeric),
                "{name}: line of stray symbols {line:?}"
            );
            assert!(
                line.trim_start_matches('#').trim() != "",
                "{name}: empty heading"
            );
        }
        assert!(text.contains("\nsource_file: \""), "{name}");
        assert!(text.contains("\nsource_hash: blake3:"), "{name}");
    }
    // known furniture of these files is gone, the text around it kept
    let all: String = entries.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("Penilaian kualitas piutang dilakukan dengan mempertimbangkan"));
    assert!(!all.contains("0_image_0.png"));
    assert!(!all.contains("\n�\n"));
    assert!(all.contains("jurnal pada transaksi-transaksi yang terjadi pada modul piutang"));
    assert!(all.contains("## C. Menu-Menu Pada Modul Piutang"));
    // a long guide is split into parts that name each other
    let parts: Vec<&(String, String)> = entries
        .iter()
        .filter(|(n, _)| n.starts_with("juknis-sakti-web-glp-30122020_"))
        .collect();
    assert!(parts.len() >= 2, "{}", parts.len());
    for (i, (_, text)) in parts.iter().enumerate() {
        assert!(
            body(text).starts_with(&format!("_Bagian {} dari {}", i + 1, parts.len()))
                || parts.len() >= 10,
            "{text:.300}"
        );
        let other = if i == 0 { 2 } else { 1 };
        assert!(text.contains(&format!("juknis-sakti-web-glp-30122020_{other}")));
    }
    // a short guide stays one entry, titled by its file name
    let void = corpus.get("juknis-void-spm").unwrap();
    assert_eq!(void.title, "Juknis Void SPM");

    // importing the unchanged folder again changes nothing
    let before = files(&out_dir);
    let (code, stdout, _) = common::haipedia(&[
        "import",
        guides().to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--category",
        "SAKTI",
    ]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("0 created, 0 updated, 90 unchanged"),
        "{stdout}"
    );
    assert_eq!(files(&out_dir), before);
}

#[test]
fn imported_guides_are_found_by_search() {
    let docs = tempfile::tempdir().unwrap();
    for name in [
        "Juknis Void SPM.md",
        "Juknis Perekaman SPM 211 - Gaji Induk.md",
        "Juknis TTE pada SAKTI.md",
        "Juknis Penatausahaan Transaksi Hibah Kas Pada SAKTI.md",
        "Juknis Perekaman UP BPP.md",
        "Juknis NPWP 16 Digit pada SPAN - SAKTI - ND-1865_PB.8_2023.md",
    ] {
        fs::copy(guides().join(name), docs.path().join(name)).unwrap();
    }
    let corpus = tempfile::tempdir().unwrap();
    let mut importer = Importer::new(corpus.path(), Some("SAKTI".into())).unwrap();
    let (files, errors) = haipedia::import::collect_files(&[docs.path().to_path_buf()]);
    assert!(errors.is_empty());
    let report = importer.run(&files, false, &|_, _| {});
    assert_eq!((report.plans.len(), report.errors.len()), (6, 0));

    let index = tempfile::tempdir().unwrap();
    let root = IndexRoot::new(index.path());
    common::build(corpus.path(), &root);
    let generation = IndexGeneration::open_current(&root).unwrap();
    let top = |query: &str| common::ids(&generation, query, 3);
    let found = |query: &str, id: &str| {
        let hits = top(query);
        assert!(
            hits.iter()
                .any(|h| h == id || h.starts_with(&format!("{id}_"))),
            "{query}: {hits:?}"
        );
    };
    found("cara void sp2d di sakti", "juknis-void-spm");
    found(
        "rekam spm gaji induk",
        "juknis-perekaman-spm-211-gaji-induk",
    );
    found("tanda tangan elektronik tte sakti", "juknis-tte-pada-sakti");
    found(
        "pencatatan hibah kas",
        "juknis-penatausahaan-transaksi-hibah-kas-pada-sakti",
    );
    found(
        "npwp 16 digit supplier",
        "juknis-npwp-16-digit-pada-span-sakti-nd-1865-pb-8-2023",
    );
}

/// A PDF of text pages (Helvetica, one line per string), with `title` in its information.
fn pdf(pages: &[Vec<String>], title: Option<&str>) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids: Vec<Object> = Vec::new();
    for lines in pages {
        let mut operations = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            operations.push(Operation::new("BT", vec![]));
            operations.push(Operation::new("Tf", vec!["F1".into(), 11.into()]));
            let y = 780 - 14 * i as i64;
            operations.push(Operation::new("Td", vec![60.into(), y.into()]));
            operations.push(Operation::new(
                "Tj",
                vec![Object::string_literal(line.as_str())],
            ));
            operations.push(Operation::new("ET", vec![]));
        }
        let content = Content { operations }.encode().unwrap();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    if let Some(title) = title {
        let info = doc.add_object(dictionary! { "Title" => Object::string_literal(title) });
        doc.trailer.set("Info", info);
    }
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// A DOCX with these `word/document.xml` body paragraphs (raw WordprocessingML) and title.
fn docx(body: &str, title: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let w = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_string()),
        ("word/document.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{body}</w:body></w:document>"#)),
        ("word/footer1.xml", format!(r#"<w:ftr {w}><w:p><w:r><w:t>Halaman 1 - RAHASIA</w:t></w:r></w:p></w:ftr>"#)),
        ("docProps/core.xml", format!(r#"<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title></cp:coreProperties>"#)),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn para(style: Option<&str>, text: &str) -> String {
    let style = style
        .map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#))
        .unwrap_or_default();
    format!(r#"<w:p>{style}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
}

#[test]
fn pdf_docx_and_html_documents_become_entries() {
    let docs = tempfile::tempdir().unwrap();
    let pages: Vec<Vec<String>> = (1..=4)
        .map(|n| {
            let mut lines = vec!["Petunjuk Teknis Aplikasi SAKTI".to_string()];
            if n == 1 {
                lines.push("BAB I PENDAHULUAN".into());
                lines.push("Dokumen ini menjelaskan penyele-".into());
                lines.push("saian tagihan melalui SAKTI.".into());
            } else {
                lines.push(format!(
                    "Langkah {n}: klik tombol Proses pada menu Tagihan."
                ));
            }
            lines.push(format!("Halaman {n} dari 4"));
            lines
        })
        .collect();
    fs::write(
        docs.path().join("SOP Tagihan.pdf"),
        pdf(&pages, Some("SOP Penyelesaian Tagihan")),
    )
    .unwrap();
    let body = [
        para(Some("Heading1"), "Reset Password SAKTI"),
        para(None, "Pengguna mengajukan reset melalui HAI-DJPb."),
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>No</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Syarat</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>NIK &amp; kode satker</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.to_string(),
    ]
    .concat();
    fs::write(
        docs.path().join("sop-reset.docx"),
        docx(&body, "SOP Reset Password"),
    )
    .unwrap();
    fs::write(
        docs.path().join("kppn.html"),
        "<html><head><title>Layanan KPPN Jakarta I</title></head><body><nav>Beranda Profil Kontak</nav>\
         <h1>Layanan</h1><p>KPPN menerbitkan <b>SP2D</b> setelah SPM diterima.</p>\
         <footer>Hak cipta KPPN 2026</footer></body></html>",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (files, errors) = haipedia::import::collect_files(&[docs.path().to_path_buf()]);
    assert!(errors.is_empty());
    let mut importer = Importer::new(out.path(), None).unwrap();
    let report = importer.run(&files, false, &|_, _| {});
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let corpus = Corpus::load_dir(out.path()).unwrap();

    let pdf = corpus.get("sop-tagihan").unwrap();
    assert_eq!(pdf.title, "SOP Penyelesaian Tagihan");
    assert!(pdf.body.contains("## BAB I PENDAHULUAN"), "{}", pdf.body);
    assert!(
        pdf.body.contains("penyelesaian tagihan melalui SAKTI."),
        "{}",
        pdf.body
    );
    assert!(
        pdf.body.contains("Langkah 4: klik tombol Proses"),
        "{}",
        pdf.body
    );
    assert!(
        !pdf.body.contains("Petunjuk Teknis Aplikasi SAKTI"),
        "{}",
        pdf.body
    );
    assert!(!pdf.body.contains("Halaman"), "{}", pdf.body);

    let word = corpus.get("sop-reset").unwrap();
    assert_eq!(word.title, "SOP Reset Password");
    assert_eq!(
        word.body,
        "## Reset Password SAKTI\n\nPengguna mengajukan reset melalui HAI-DJPb.\n\n| No | Syarat |\n|---|---|\n| 1 | NIK & kode satker |"
    );

    let page = corpus.get("kppn").unwrap();
    assert_eq!(page.title, "Layanan KPPN Jakarta I");
    assert_eq!(
        page.body,
        "## Layanan\n\nKPPN menerbitkan SP2D setelah SPM diterima."
    );
}

#[test]
fn bad_documents_fail_alone_with_a_clear_error() {
    let docs = tempfile::tempdir().unwrap();
    let d = docs.path();
    fs::write(d.join("rusak.pdf"), b"%PDF-1.4\n1 0 obj << /Type /Catalog").unwrap();
    fs::write(d.join("gambar.pdf"), [0x89u8, b'P', b'N', b'G', 0, 1, 2, 3]).unwrap();
    fs::write(d.join("kosong.docx"), b"").unwrap();
    fs::write(d.join("bukan-word.docx"), docx_without_body()).unwrap();
    fs::write(
        d.join("terkunci.docx"),
        [0xd0u8, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0],
    )
    .unwrap();
    fs::write(d.join("terenkripsi.pdf"), encrypted_pdf()).unwrap();
    fs::write(d.join("pindaian.pdf"), pdf(&[vec![], vec![]], None)).unwrap();
    fs::write(
        d.join("hampa.html"),
        "<html><body><script>x()</script> </body></html>",
    )
    .unwrap();
    // 200 MB without writing them: a sparse file
    let huge = fs::File::create(d.join("besar.pdf")).unwrap();
    huge.set_len(200 * 1024 * 1024).unwrap();
    fs::write(
        d.join("baik.md"),
        "# Panduan Baik\n\nIsi panduan yang baik.\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = common::haipedia(&[
        "import",
        d.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let expect = [
        ("rusak.pdf", "damaged or truncated"),
        (
            "gambar.pdf",
            "named as a PDF, but the content is binary data",
        ),
        ("kosong.docx", "the file is empty"),
        ("bukan-word.docx", "no word/document.xml"),
        ("terkunci.docx", "encrypted or password-protected"),
        ("terenkripsi.pdf", "encrypted or password-protected"),
        (
            "pindaian.pdf",
            "no text layer (a scanned document?); import does no OCR",
        ),
        ("hampa.html", "has no text to import"),
        ("besar.pdf", "the file is 209715200 bytes; at most 52428800"),
    ];
    for (file, message) in expect {
        let line = stderr
            .lines()
            .find(|l| l.contains(&format!("{file}: ")))
            .unwrap_or_else(|| panic!("no error for {file}:\n{stderr}"));
        assert!(line.contains(message), "{line}");
    }
    assert!(
        stdout.contains("1 created, 0 updated, 0 unchanged, 9 failed"),
        "{stdout}"
    );
    let written: Vec<String> = files(out.path()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(written, vec!["baik.md".to_string()]);
    // an unsupported file named on the command line is an error too
    fs::write(d.join("catatan.doc"), b"x").unwrap();
    let (code, _, stderr) = common::haipedia(&[
        "import",
        d.join("catatan.doc").to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("catatan.doc: not a supported document"),
        "{stderr}"
    );
}

/// A ZIP archive that is no Word document.
fn docx_without_body() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("foto.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"bukan dokumen").unwrap();
    zip.finish().unwrap().into_inner()
}

/// A PDF protected by a user password (standard security handler, revision 2).
fn encrypted_pdf() -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, StringFormat};
    let plain = pdf(&[vec!["Rahasia".to_string()]], None);
    let mut doc = Document::load_mem(&plain).unwrap();
    let encrypt = doc.add_object(dictionary! {
        "Filter" => "Standard", "V" => 1, "R" => 2, "Length" => 40, "P" => -4,
        "O" => Object::String(vec![0x11; 32], StringFormat::Hexadecimal),
        "U" => Object::String(vec![0x22; 32], StringFormat::Hexadecimal),
    });
    doc.trailer.set("Encrypt", encrypt);
    let id = Object::String(vec![0x33; 16], StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![id.clone(), id]);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

#[test]
fn changed_documents_update_their_entries_and_dry_runs_write_nothing() {
    let docs = tempfile::tempdir().unwrap();
    let doc = docs.path().join("Panduan SPM.md");
    fs::write(&doc, "# Panduan SPM\n\nVersi satu.\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = |dry_run: bool| {
        let mut importer = Importer::new(out.path(), Some("PEM".into())).unwrap();
        importer.run(std::slice::from_ref(&doc), dry_run, &|_, _| {})
    };
    let report = run(false);
    assert_eq!(report.plans[0].action, Action::Create);
    let entry = out.path().join("panduan-spm.md");
    let first = fs::read_to_string(&entry).unwrap();
    assert!(first.contains("Versi satu."));
    assert_eq!(run(false).plans[0].action, Action::Unchanged);
    assert_eq!(fs::read_to_string(&entry).unwrap(), first);

    fs::write(&doc, "# Panduan SPM\n\nVersi dua.\n").unwrap();
    let report = run(true);
    assert_eq!(report.plans[0].action, Action::Update);
    assert_eq!(
        fs::read_to_string(&entry).unwrap(),
        first,
        "a dry run writes nothing"
    );
    assert_eq!(run(false).plans[0].action, Action::Update);
    assert!(fs::read_to_string(&entry).unwrap().contains("Versi dua."));

    // a long version is split into parts; a short one again removes them
    let long: String = (1..=4)
        .map(|i| {
            format!(
                "## Bagian {i}\n\n{}\n\n",
                "Kalimat panjang tentang SPM. ".repeat(400)
            )
        })
        .collect();
    fs::write(&doc, format!("# Panduan SPM\n\n{long}")).unwrap();
    let report = run(false);
    let ids: Vec<String> = report.plans[0]
        .entries
        .iter()
        .map(|e| e.id.to_string())
        .collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert!(ids.contains(&"panduan-spm_4".to_string()));
    assert!(report.plans[0]
        .entries
        .iter()
        .any(|e| e.action == Action::Remove && e.id.0 == "panduan-spm"));
    assert!(!entry.exists());
    Corpus::load_dir(out.path()).unwrap();
    fs::write(&doc, "# Panduan SPM\n\nVersi tiga.\n").unwrap();
    run(false);
    let names: Vec<String> = files(out.path()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec!["panduan-spm.md".to_string()]);

    // an id held by a hand-written entry is never overwritten
    fs::write(
        out.path().join("panduan-lain.md"),
        "---\nid: panduan-lain\ntitle: Ditulis editor\n---\nIsi.\n",
    )
    .unwrap();
    let other = docs.path().join("Panduan Lain.txt");
    fs::write(&other, "Isi dokumen lain.").unwrap();
    let mut importer = Importer::new(out.path(), None).unwrap();
    let report = importer.run(&[other], false, &|_, _| {});
    let message = report.errors[0].to_string();
    assert!(
        message.contains("entry id 'panduan-lain' is already used by"),
        "{message}"
    );
    assert!(message.contains("(written by hand)"), "{message}");
    assert!(fs::read_to_string(out.path().join("panduan-lain.md"))
        .unwrap()
        .contains("Ditulis editor"));
}
