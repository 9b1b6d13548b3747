//! Cheap, deterministic pictures: a diagonal gradient between two colours, a row of tiles
//! (one per input image) along the top and, for follow-up edits, bands along the bottom.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

pub type Rgb = [u8; 3];

const SIGNATURE_PREFIX: &[u8] = b"gemini-mock-signature-v1";

/// base64(sha256("gemini-mock-signature-v1" ++ bytes)).
pub fn signature(bytes: &[u8]) -> String {
    STANDARD.encode(signature_digest(bytes))
}

/// sha256("gemini-mock-signature-v1" ++ bytes): the decoded bytes of [`signature`].
pub fn signature_digest(bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(SIGNATURE_PREFIX);
    h.update(bytes);
    h.finalize().into()
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The parameters a picture is drawn from; remembered for each generated image so a follow-up
/// edit can derive from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Look {
    pub c1: Rgb,
    pub c2: Rgb,
    pub tiles: Vec<Rgb>,
    pub bands: Vec<Rgb>,
}

fn hsv(h: f32, s: f32, v: f32) -> Rgb {
    let h = h.rem_euclid(360.0) / 60.0;
    let c = v * s;
    let x = c * (1.0 - ((h % 2.0) - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    let f = |u: f32| ((u + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    [f(r), f(g), f(b)]
}

fn to_hsv(c: Rgb) -> (f32, f32, f32) {
    let [r, g, b] = c.map(|u| f32::from(u) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let d = max - min;
    let h = if d == 0.0 {
        0.0
    } else if max == r {
        60.0 * (((g - b) / d).rem_euclid(6.0))
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    let s = if max == 0.0 { 0.0 } else { d / max };
    (h, s, max)
}

fn shift_hue(c: Rgb, deg: f32) -> Rgb {
    let (h, s, v) = to_hsv(c);
    // Keep shifted colours vivid so the change is visible even for greyish inputs.
    hsv(h + deg, s.max(0.45), v.max(0.45))
}

/// A vivid colour from two hash bytes.
pub fn colour_from(hash: &[u8; 32], at: usize) -> Rgb {
    let b = |k: usize| hash[(at + k) % 32];
    let hue = (u32::from(b(0)) << 8 | u32::from(b(1))) % 360;
    hsv(
        hue as f32,
        0.55 + f32::from(b(2)) / 255.0 * 0.4,
        0.6 + f32::from(b(3)) / 255.0 * 0.35,
    )
}

impl Look {
    /// A fresh picture for a prompt (markers stripped) and the input images' bytes.
    pub fn fresh(prompt: &str, images: &[&[u8]]) -> Look {
        let h = sha256(prompt.as_bytes());
        let c1 = colour_from(&h, 0);
        let (hue1, _, _) = to_hsv(c1);
        let hue2 = hue1 + 90.0 + f32::from(h[8]) / 255.0 * 180.0;
        let c2 = hsv(
            hue2,
            0.5 + f32::from(h[9]) / 255.0 * 0.45,
            0.5 + f32::from(h[10]) / 255.0 * 0.45,
        );
        Look {
            c1,
            c2,
            tiles: images.iter().map(|b| colour_from(&sha256(b), 0)).collect(),
            bands: Vec::new(),
        }
    }

    /// A look for an image this mock does not remember: derived from a hash of its bytes.
    pub fn from_unknown_image(bytes: &[u8]) -> Look {
        let h = sha256(bytes);
        Look {
            c1: colour_from(&h, 0),
            c2: colour_from(&h, 16),
            tiles: Vec::new(),
            bands: Vec::new(),
        }
    }

    /// An edit of `self`: same gradient with its hue shifted (by an amount that depends on the
    /// prompt, never zero), one more band along the bottom, tiles for new input images.
    pub fn edited(&self, prompt: &str, images: &[&[u8]]) -> Look {
        let h = sha256(prompt.as_bytes());
        let deg = 40.0 + f32::from(h[0]) / 255.0 * 280.0;
        let mut tiles = self.tiles.clone();
        tiles.extend(images.iter().map(|b| colour_from(&sha256(b), 0)));
        tiles.truncate(16);
        let mut bands = self.bands.clone();
        bands.push(colour_from(&h, 4));
        Look {
            c1: shift_hue(self.c1, deg),
            c2: shift_hue(self.c2, deg),
            tiles,
            bands,
        }
    }
}

/// Draws the picture as packed RGB.
pub fn render(look: &Look, w: u32, h: u32) -> Vec<u8> {
    let (wu, hu) = (w as usize, h as usize);
    // Interpolate in HSV along the shorter hue arc, so the middle stays colourful.
    let (h1, s1, v1) = to_hsv(look.c1);
    let (h2, s2, v2) = to_hsv(look.c2);
    let mut dh = (h2 - h1).rem_euclid(360.0);
    if dh > 180.0 {
        dh -= 360.0;
    }
    let mut lut = [[0u8; 3]; 512];
    for (t, slot) in lut.iter_mut().enumerate() {
        let f = t.min(510) as f32 / 510.0;
        *slot = hsv(h1 + dh * f, s1 + (s2 - s1) * f, v1 + (v2 - v1) * f);
    }
    let tx: Vec<usize> = (0..wu).map(|x| x * 255 / wu.max(1)).collect();
    let mut buf = vec![0u8; wu * hu * 3];
    for (y, row) in buf.chunks_exact_mut(wu * 3).enumerate() {
        let ty = y * 255 / hu.max(1);
        for (px, &t) in row.chunks_exact_mut(3).zip(&tx) {
            px.copy_from_slice(&lut[(t + ty).min(511)]);
        }
    }
    // Tiles along the top.
    let tile = (wu.min(hu) / 10).max(1);
    let gap = (tile / 4).max(1);
    for (i, c) in look.tiles.iter().enumerate() {
        let x0 = gap + i * (tile + gap);
        let inset = (tile / 10).max(1);
        fill(&mut buf, wu, hu, x0, gap, tile, tile, [16, 16, 16]);
        if tile > 2 * inset {
            let inner = tile - 2 * inset;
            fill(&mut buf, wu, hu, x0 + inset, gap + inset, inner, inner, *c);
        }
    }
    // Bands along the bottom (the newest lowest), at most 8 shown.
    let band = (hu / 16).max(1);
    for (k, c) in look.bands.iter().rev().take(8).enumerate() {
        let y0 = hu.saturating_sub((k + 1) * band);
        fill(&mut buf, wu, hu, 0, y0, wu, band, *c);
    }
    buf
}

#[allow(clippy::too_many_arguments)]
fn fill(buf: &mut [u8], w: usize, h: usize, x0: usize, y0: usize, fw: usize, fh: usize, c: Rgb) {
    if x0 >= w || y0 >= h {
        return;
    }
    let x1 = (x0 + fw).min(w);
    let y1 = (y0 + fh).min(h);
    for y in y0..y1 {
        let row = &mut buf[(y * w + x0) * 3..(y * w + x1) * 3];
        for px in row.chunks_exact_mut(3) {
            px.copy_from_slice(&c);
        }
    }
}

/// A "thinking" draft: greyscale and blocky (block size `block` px): the gradient's position
/// drawn from dark to light, input-image tiles as dark squares.
pub fn draft(look: &Look, w: u32, h: u32, block: u32) -> Vec<u8> {
    let (wu, hu, b) = (w as usize, h as usize, block.max(1) as usize);
    let mut buf = vec![0u8; wu * hu * 3];
    for by in (0..hu).step_by(b) {
        for bx in (0..wu).step_by(b) {
            let cy = (by + b / 2).min(hu - 1);
            let cx = (bx + b / 2).min(wu - 1);
            let t = cx * 255 / wu.max(1) + cy * 255 / hu.max(1);
            let g = (40 + t * 180 / 510) as u8;
            fill(&mut buf, wu, hu, bx, by, b, b, [g, g, g]);
        }
    }
    let tile = (wu.min(hu) / 10).max(1);
    let gap = (tile / 4).max(1);
    for i in 0..look.tiles.len() {
        fill(
            &mut buf,
            wu,
            hu,
            gap + i * (tile + gap),
            gap,
            tile,
            tile,
            [24, 24, 24],
        );
    }
    buf
}

/// One colour over the whole picture, as packed RGB.
pub fn solid(w: u32, h: u32, c: Rgb) -> Vec<u8> {
    let n = (w as usize) * (h as usize);
    let mut buf = Vec::with_capacity(n * 3);
    for _ in 0..n {
        buf.extend_from_slice(&c);
    }
    buf
}

/// `[[svg-image]]` / `[[mime-lie]]`: an SVG whose script, if it ever runs, marks the page.
pub const HOSTILE_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" \
     height=\"64\" viewBox=\"0 0 64 64\"><rect width=\"64\" height=\"64\" fill=\"#c00\"/>\
     <script>window.__mockScriptRan='svg';try{window.parent.__mockScriptRan='svg'}catch(e){}\
     document.title='pwned'</script></svg>";

/// `[[html-image]]`: an HTML page whose script, if it ever runs, marks the page.
pub const HOSTILE_HTML: &str = "<!doctype html><html><head><title>not an image</title></head>\
     <body><h1>Not an image</h1><script>window.__mockScriptRan='html';\
     try{window.parent.__mockScriptRan='html'}catch(e){}document.title='pwned'</script>\
     </body></html>";

/// Width and height `[[huge-dims]]` claims.
pub const HUGE_DIMS: u32 = 30_000;

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// `[[huge-dims]]`: a well-formed PNG (valid chunk CRCs) whose IHDR says 30000x30000 8-bit RGB;
/// its IDAT is an empty zlib stream, so a decoder that trusts the header would allocate 2.7 GB
/// and then find no pixels.
pub fn huge_dims_png() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&HUGE_DIMS.to_be_bytes());
    ihdr.extend_from_slice(&HUGE_DIMS.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    // zlib header, one empty final stored block, Adler-32 of nothing
    png_chunk(
        &mut out,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
        ],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

pub fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        enc.set_filter(png::Filter::Up);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(rgb).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

pub fn encode_jpeg(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let (w16, h16) = (
        u16::try_from(w).map_err(|e| e.to_string())?,
        u16::try_from(h).map_err(|e| e.to_string())?,
    );
    let enc = jpeg_encoder::Encoder::new(&mut out, 90);
    enc.encode(rgb, w16, h16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn be16(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from(*b.get(i)?) << 8 | u32::from(*b.get(i + 1)?))
}

fn le16(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from(*b.get(i)?) | u32::from(*b.get(i + 1)?) << 8)
}

fn le24(b: &[u8], i: usize) -> Option<u32> {
    Some(le16(b, i)? | u32::from(*b.get(i + 2)?) << 16)
}

/// Reads an image's pixel size from its header: PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X.
pub fn image_dims(b: &[u8]) -> Option<(u32, u32)> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        if b.get(12..16)? != b"IHDR" {
            return None;
        }
        let w = u32::from_be_bytes(b.get(16..20)?.try_into().ok()?);
        let h = u32::from_be_bytes(b.get(20..24)?.try_into().ok()?);
        return (w > 0 && h > 0).then_some((w, h));
    }
    if b.starts_with(&[0xFF, 0xD8]) {
        let mut i = 2;
        while i + 4 <= b.len() {
            if b[i] != 0xFF {
                i += 1;
                continue;
            }
            let marker = b[i + 1];
            if marker == 0xFF {
                i += 1;
                continue;
            }
            if marker == 0xD8 || marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
                i += 2;
                continue;
            }
            let len = be16(b, i + 2)? as usize;
            let sof = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
            if sof {
                let h = be16(b, i + 5)?;
                let w = be16(b, i + 7)?;
                return (w > 0 && h > 0).then_some((w, h));
            }
            if marker == 0xDA || len < 2 {
                return None;
            }
            i += 2 + len;
        }
        return None;
    }
    if b.len() >= 30 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return match &b[12..16] {
            b"VP8 " => {
                if b.get(23..26)? != [0x9D, 0x01, 0x2A] {
                    return None;
                }
                Some((le16(b, 26)? & 0x3FFF, le16(b, 28)? & 0x3FFF))
            }
            b"VP8L" => {
                if *b.get(20)? != 0x2F {
                    return None;
                }
                let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
                Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
            }
            b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
            _ => None,
        }
        .filter(|&(w, h)| w > 0 && h > 0);
    }
    None
}
