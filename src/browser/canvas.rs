//! Pixels through a canvas: decoding an image to RGBA (optionally scaled),
//! and encoding RGBA as a lossless PNG. What to do with the pixels is decided
//! in `crate::model::pixels`; this is only the glue.

use wasm_bindgen::{Clamped, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, ImageBitmap, ImageBitmapOptions, ImageData, ImageEncodeOptions, OffscreenCanvas,
    OffscreenCanvasRenderingContext2d,
};

use super::js_error_text;

/// Decoded RGBA pixels, row by row, not premultiplied.
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// Decodes `blob` as it is: no colour-space conversion, no premultiplying,
/// so an opaque PNG's pixels come back byte for byte.
pub async fn decode(blob: &Blob) -> Result<ImageBitmap, String> {
    let window = web_sys::window().ok_or("no window")?;
    let options = ImageBitmapOptions::new();
    options.set_color_space_conversion(web_sys::ColorSpaceConversion::None);
    options.set_premultiply_alpha(web_sys::PremultiplyAlpha::None);
    let promise = window
        .create_image_bitmap_with_blob_and_image_bitmap_options(blob, &options)
        .map_err(|e| js_error_text(&e))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| format!("the image could not be decoded ({})", js_error_text(&e)))?
        .dyn_into()
        .map_err(|_| "not an image".to_owned())
}

fn context(w: u32, h: u32) -> Result<(OffscreenCanvas, OffscreenCanvasRenderingContext2d), String> {
    let canvas = OffscreenCanvas::new(w.max(1), h.max(1)).map_err(|e| js_error_text(&e))?;
    let ctx = canvas
        .get_context("2d")
        .map_err(|e| js_error_text(&e))?
        .ok_or("no 2d canvas")?
        .dyn_into::<OffscreenCanvasRenderingContext2d>()
        .map_err(|_| "no 2d canvas".to_owned())?;
    Ok((canvas, ctx))
}

/// The pixels of `bitmap` drawn at `w`×`h` (scaled smoothly when the size
/// differs; exact when it does not).
pub fn pixels(bitmap: &ImageBitmap, w: u32, h: u32) -> Result<Rgba, String> {
    let (_canvas, ctx) = context(w, h)?;
    ctx.set_image_smoothing_enabled(bitmap.width() != w || bitmap.height() != h);
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, f64::from(w), f64::from(h))
        .map_err(|e| js_error_text(&e))?;
    let data = ctx
        .get_image_data(0.0, 0.0, f64::from(w), f64::from(h))
        .map_err(|e| js_error_text(&e))?;
    Ok(Rgba {
        width: w,
        height: h,
        data: data.data().0,
    })
}

/// Shows `mask` (`w`×`h`, non-zero = selected) on `canvas` in `colour`
/// (RGBA; the alpha makes it translucent), the rest transparent.
pub fn paint_mask(
    canvas: &web_sys::HtmlCanvasElement,
    mask: &[u8],
    w: u32,
    h: u32,
    colour: [u8; 4],
) -> Result<(), String> {
    if mask.len() != w as usize * h as usize || w == 0 || h == 0 {
        return Ok(());
    }
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let ctx = canvas
        .get_context("2d")
        .map_err(|e| js_error_text(&e))?
        .ok_or("no 2d canvas")?
        .dyn_into::<web_sys::CanvasRenderingContext2d>()
        .map_err(|_| "no 2d canvas".to_owned())?;
    let mut rgba = vec![0u8; mask.len() * 4];
    for (px, &m) in rgba.chunks_exact_mut(4).zip(mask) {
        if m != 0 {
            px.copy_from_slice(&colour);
        }
    }
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h)
        .map_err(|e| js_error_text(&e))?;
    ctx.put_image_data(&data, 0.0, 0.0)
        .map_err(|e| js_error_text(&e))
}

/// A lossless PNG of `rgba`.
pub async fn encode_png(rgba: &Rgba) -> Result<Blob, String> {
    let (canvas, ctx) = context(rgba.width, rgba.height)?;
    let data =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba.data), rgba.width, rgba.height)
            .map_err(|e| js_error_text(&e))?;
    ctx.put_image_data(&data, 0.0, 0.0)
        .map_err(|e| js_error_text(&e))?;
    png_of(&canvas).await
}

async fn png_of(canvas: &OffscreenCanvas) -> Result<Blob, String> {
    let opts = ImageEncodeOptions::new();
    opts.set_type("image/png");
    JsFuture::from(
        canvas
            .convert_to_blob_with_options(&opts)
            .map_err(|e| js_error_text(&e))?,
    )
    .await
    .map_err(|e| js_error_text(&e))?
    .dyn_into()
    .map_err(|_| "the encoder returned no image".to_owned())
}

/// `blob` as a PNG (itself when it is one already).
pub async fn as_png(blob: &Blob) -> Result<Blob, String> {
    if blob.type_() == "image/png" {
        return Ok(blob.clone());
    }
    let bitmap = decode(blob).await?;
    let (w, h) = (bitmap.width(), bitmap.height());
    let rgba = pixels(&bitmap, w, h);
    bitmap.close();
    encode_png(&rgba?).await
}

/// A copy of an image to draw on (lines, filled shapes, text), then flatten
/// to a PNG at the image's size.
pub struct Sketch {
    canvas: OffscreenCanvas,
    ctx: OffscreenCanvasRenderingContext2d,
}

impl Sketch {
    /// The image, at its own size.
    pub fn new(bitmap: &ImageBitmap) -> Result<Self, String> {
        let (canvas, ctx) = context(bitmap.width(), bitmap.height())?;
        ctx.draw_image_with_image_bitmap(bitmap, 0.0, 0.0)
            .map_err(|e| js_error_text(&e))?;
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        Ok(Self { canvas, ctx })
    }

    /// A line through `points` (closed back to the first when `closed`).
    pub fn line(&self, points: &[(f64, f64)], colour: &str, width: f64, closed: bool) {
        let Some((first, rest)) = points.split_first() else {
            return;
        };
        self.ctx.begin_path();
        self.ctx.move_to(first.0, first.1);
        if rest.is_empty() {
            self.ctx.line_to(first.0 + 0.01, first.1);
        }
        for p in rest {
            self.ctx.line_to(p.0, p.1);
        }
        if closed {
            self.ctx.close_path();
        }
        self.ctx.set_stroke_style_str(colour);
        self.ctx.set_line_width(width);
        self.ctx.stroke();
    }

    /// A filled polygon.
    pub fn fill(&self, points: &[(f64, f64)], colour: &str) {
        let Some((first, rest)) = points.split_first() else {
            return;
        };
        self.ctx.begin_path();
        self.ctx.move_to(first.0, first.1);
        for p in rest {
            self.ctx.line_to(p.0, p.1);
        }
        self.ctx.close_path();
        self.ctx.set_fill_style_str(colour);
        self.ctx.fill();
    }

    /// `text` with its top-left at (`x`, `y`), `size` pixels high.
    pub fn text(&self, x: f64, y: f64, text: &str, colour: &str, size: f64) {
        self.ctx
            .set_font(&format!("bold {size:.0}px system-ui, sans-serif"));
        self.ctx.set_text_baseline("top");
        self.ctx.set_fill_style_str(colour);
        let _ = self.ctx.fill_text(text, x, y);
    }

    /// The drawing as a PNG at the image's size.
    pub async fn png(&self) -> Result<Blob, String> {
        png_of(&self.canvas).await
    }
}
