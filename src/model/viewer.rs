//! The image viewer's geometry, pure: where the image sits in the viewport
//! (its top-left corner and its scale), fitting, actual size, zooming about a
//! point (the wheel's or a pinch's), panning, and stepping through images.

/// The smallest and largest scales the viewer allows.
pub const MIN_SCALE: f64 = 0.05;
pub const MAX_SCALE: f64 = 16.0;
/// One press of Zoom in (Zoom out divides by it).
pub const ZOOM_STEP: f64 = 1.25;

/// How the image is shown: its top-left corner in viewport pixels and its
/// scale (1 = one image pixel per CSS pixel).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub x: f64,
    pub y: f64,
    pub scale: f64,
}

impl Default for View {
    fn default() -> Self {
        Self {
            x: 0.0,
            y: 0.0,
            scale: 1.0,
        }
    }
}

/// A size in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Size {
    pub w: f64,
    pub h: f64,
}

impl Size {
    pub fn new(w: f64, h: f64) -> Self {
        Self { w, h }
    }

    fn usable(self) -> bool {
        self.w.is_finite() && self.h.is_finite() && self.w > 0.0 && self.h > 0.0
    }
}

fn clamp_scale(s: f64) -> f64 {
    if s.is_finite() {
        s.clamp(MIN_SCALE, MAX_SCALE)
    } else {
        1.0
    }
}

/// `image` at `scale`, centred in `viewport`.
pub fn centred(image: Size, viewport: Size, scale: f64) -> View {
    let scale = clamp_scale(scale);
    if !image.usable() || !viewport.usable() {
        return View {
            scale,
            ..View::default()
        };
    }
    View {
        x: (viewport.w - image.w * scale) / 2.0,
        y: (viewport.h - image.h * scale) / 2.0,
        scale,
    }
}

/// The whole image in the viewport, as large as fits, centred.
pub fn fit(image: Size, viewport: Size) -> View {
    if !image.usable() || !viewport.usable() {
        return View::default();
    }
    centred(
        image,
        viewport,
        (viewport.w / image.w).min(viewport.h / image.h),
    )
}

/// One image pixel per CSS pixel, centred.
pub fn actual_size(image: Size, viewport: Size) -> View {
    centred(image, viewport, 1.0)
}

/// The scale multiplied by `factor`, the viewport point (`px`, `py`) staying
/// over the same image point (the pointer's, or the viewport's centre).
pub fn zoom_at(view: View, factor: f64, px: f64, py: f64) -> View {
    let scale = clamp_scale(view.scale * factor);
    let k = scale / view.scale;
    View {
        x: px - (px - view.x) * k,
        y: py - (py - view.y) * k,
        scale,
    }
}

/// The factor a wheel movement of `delta_y` pixels zooms by (up zooms in).
pub fn wheel_factor(delta_y: f64) -> f64 {
    if !delta_y.is_finite() {
        return 1.0;
    }
    // 100 px of wheel (one notch in most browsers) is one Zoom step.
    ZOOM_STEP.powf(-delta_y.clamp(-500.0, 500.0) / 100.0)
}

/// Moved by (`dx`, `dy`) viewport pixels.
pub fn pan(view: View, dx: f64, dy: f64) -> View {
    View {
        x: view.x + dx,
        y: view.y + dy,
        ..view
    }
}

/// The CSS transform that shows `view` (origin at the image's top-left).
pub fn transform(view: View) -> String {
    format!(
        "translate({:.2}px, {:.2}px) scale({:.5})",
        view.x, view.y, view.scale
    )
}

/// The image after (`forward`) or before `index` among `len`, stopping at
/// either end.
pub fn step(index: usize, len: usize, forward: bool) -> usize {
    if len == 0 {
        return 0;
    }
    if forward {
        (index + 1).min(len - 1)
    } else {
        index.saturating_sub(1).min(len - 1)
    }
}

/// "Image 2 of 5 · 150%".
pub fn caption(index: usize, len: usize, scale: f64) -> String {
    format!(
        "Image {} of {len} · {}%",
        index + 1,
        (scale * 100.0).round()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMG: Size = Size {
        w: 1000.0,
        h: 500.0,
    };
    const VP: Size = Size { w: 800.0, h: 600.0 };

    #[test]
    fn fit_shows_the_whole_image_centred() {
        let v = fit(IMG, VP);
        assert_eq!(v.scale, 0.8);
        assert_eq!((v.x, v.y), (0.0, 100.0));
    }

    #[test]
    fn actual_size_is_one_to_one_centred() {
        let v = actual_size(IMG, VP);
        assert_eq!(v.scale, 1.0);
        assert_eq!((v.x, v.y), (-100.0, 50.0));
    }

    #[test]
    fn zooming_keeps_the_point_under_the_pointer() {
        let v = fit(IMG, VP);
        let (px, py) = (300.0, 250.0);
        let before = ((px - v.x) / v.scale, (py - v.y) / v.scale);
        let z = zoom_at(v, 2.0, px, py);
        let after = ((px - z.x) / z.scale, (py - z.y) / z.scale);
        assert!((before.0 - after.0).abs() < 1e-9 && (before.1 - after.1).abs() < 1e-9);
        assert_eq!(z.scale, 1.6);
    }

    #[test]
    fn zoom_is_bounded_and_survives_nonsense() {
        let v = View::default();
        assert_eq!(zoom_at(v, 1e9, 0.0, 0.0).scale, MAX_SCALE);
        assert_eq!(zoom_at(v, 0.0, 0.0, 0.0).scale, MIN_SCALE);
        assert_eq!(fit(Size::new(0.0, 0.0), VP), View::default());
        assert_eq!(wheel_factor(f64::NAN), 1.0);
        assert!(wheel_factor(-100.0) > 1.0 && wheel_factor(100.0) < 1.0);
        assert!((wheel_factor(-100.0) - ZOOM_STEP).abs() < 1e-12);
    }

    #[test]
    fn panning_moves_the_corner() {
        let v = pan(View::default(), 12.0, -3.0);
        assert_eq!((v.x, v.y, v.scale), (12.0, -3.0, 1.0));
        assert_eq!(transform(v), "translate(12.00px, -3.00px) scale(1.00000)");
    }

    #[test]
    fn stepping_stops_at_the_ends() {
        assert_eq!(step(0, 3, false), 0);
        assert_eq!(step(0, 3, true), 1);
        assert_eq!(step(2, 3, true), 2);
        assert_eq!(step(5, 0, true), 0);
        assert_eq!(caption(1, 3, 1.5), "Image 2 of 3 · 150%");
    }
}
