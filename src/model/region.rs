//! Region edit, pure: what was selected (rectangles, brush and eraser
//! strokes, in source-image pixels), the mask it makes, the feather at its
//! edge, the composite of the model's output into the source, the marked copy
//! that shows the model where to work, and the instruction wrapper.
//!
//! The Gemini image API has no mask field, so an edit is sent as a normal
//! turn: the wrapper text ([`wrap_instruction`]), the source image, and a copy
//! of it with the region tinted and outlined in red ([`mark`]). Image models
//! follow a visible marking better than a separate black-and-white mask (they
//! read a mask as one more picture). Whatever the model changes outside the
//! region is thrown away: the turn's result is [`composite`], the source's
//! pixels byte for byte outside the selection and the model's output (scaled
//! to the source's size) inside, with an inward feather of at most
//! [`FEATHER_PX`] pixels so the seam does not show. The feather lies inside
//! the selection: not one pixel outside it changes.

use serde::{Deserialize, Serialize};

/// How far inside the selection's edge the model's output fades in.
pub const FEATHER_PX: u32 = 2;

/// The text sent with an edit: the person's instruction in the wrapper that
/// tells the model what the two images are. The one place it is written.
pub fn wrap_instruction(instruction: &str) -> String {
    format!(
        "Edit the first image. The second image is the same picture with the area to change \
         tinted and outlined in red. Change only what is inside that area: {}. Keep everything \
         outside it exactly as it is. Answer with the whole edited image, at the same size and \
         framing as the first image, with no red marking.",
        instruction.trim().trim_end_matches('.')
    )
}

/// One thing done with a selection tool, in source-image pixels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Mark {
    /// A rectangle between two corners (any order).
    Rect { x0: f64, y0: f64, x1: f64, y1: f64 },
    /// A brush (or eraser) stroke: a line of round dabs of `radius`.
    Stroke {
        points: Vec<(f64, f64)>,
        radius: f64,
        erase: bool,
    },
}

/// Everything selected, in order (an eraser stroke removes what came before).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    pub marks: Vec<Mark>,
}

/// At most this many marks in a selection read back (storage, an import).
pub const MAX_MARKS: usize = 1_000;
/// At most this many brush points in all, in a selection read back.
pub const MAX_POINTS: usize = 20_000;
/// The largest brush radius read back, in pixels.
pub const MAX_RADIUS: f64 = 1_024.0;
/// The most pixel tests [`mask`] may make for the strokes of a selection read
/// back (the sum of their segments' bounding boxes): about a second of work.
const MAX_WORK: f64 = 2e8;

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }

    /// The selection if making its mask is bounded work, else `None`: a
    /// record from storage or an import could hold a million points or a
    /// radius of 1e9, and [`mask`] runs on the page's thread whenever the
    /// turn is shown. What the region editor makes stays far inside these.
    pub fn checked(self) -> Option<Selection> {
        if self.marks.len() > MAX_MARKS {
            return None;
        }
        let (mut points, mut work) = (0usize, 0.0f64);
        for m in &self.marks {
            match m {
                Mark::Rect { x0, y0, x1, y1 } => {
                    if ![x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
                        return None;
                    }
                }
                Mark::Stroke {
                    points: ps, radius, ..
                } => {
                    if !radius.is_finite() || *radius > MAX_RADIUS {
                        return None;
                    }
                    points += ps.len();
                    if points > MAX_POINTS
                        || ps.iter().any(|(x, y)| !x.is_finite() || !y.is_finite())
                    {
                        return None;
                    }
                    let d = 2.0 * radius.max(0.5);
                    work += match ps.as_slice() {
                        [] => 0.0,
                        [_] => d * d,
                        ps => ps
                            .windows(2)
                            .map(|w| ((w[0].0 - w[1].0).abs() + d) * ((w[0].1 - w[1].1).abs() + d))
                            .sum(),
                    };
                    if work.is_nan() || work > MAX_WORK {
                        return None;
                    }
                }
            }
        }
        Some(self)
    }
}

/// The selection as a mask of `w`×`h` (255 = selected, 0 = not).
pub fn mask(sel: &Selection, w: u32, h: u32) -> Vec<u8> {
    let (wu, hu) = (w as usize, h as usize);
    let mut m = vec![0u8; wu * hu];
    for mark in &sel.marks {
        match mark {
            Mark::Rect { x0, y0, x1, y1 } => {
                // Pixel (x, y) is in when its centre is.
                let (l, r) = (x0.min(*x1), x0.max(*x1));
                let (t, b) = (y0.min(*y1), y0.max(*y1));
                let span = |lo: f64, hi: f64, n: usize| {
                    let a = (lo - 0.5).ceil().max(0.0) as usize;
                    let z = ((hi - 0.5).floor() + 1.0).clamp(0.0, n as f64) as usize;
                    a..z.max(a)
                };
                for y in span(t, b, hu) {
                    for x in span(l, r, wu) {
                        m[y * wu + x] = 255;
                    }
                }
            }
            Mark::Stroke {
                points,
                radius,
                erase,
            } => {
                let value = if *erase { 0 } else { 255 };
                let r = radius.max(0.5);
                let segments: Vec<((f64, f64), (f64, f64))> = match points.as_slice() {
                    [] => Vec::new(),
                    [p] => vec![(*p, *p)],
                    ps => ps.windows(2).map(|w| (w[0], w[1])).collect(),
                };
                for (a, b) in segments {
                    let (l, rr) = (a.0.min(b.0) - r, a.0.max(b.0) + r);
                    let (t, bb) = (a.1.min(b.1) - r, a.1.max(b.1) + r);
                    let x_lo = l.floor().max(0.0) as usize;
                    let x_hi = (rr.ceil().max(0.0) as usize).min(wu);
                    let y_lo = t.floor().max(0.0) as usize;
                    let y_hi = (bb.ceil().max(0.0) as usize).min(hu);
                    for y in y_lo..y_hi {
                        for x in x_lo..x_hi {
                            let c = (x as f64 + 0.5, y as f64 + 0.5);
                            if distance_to_segment(c, a, b) <= r {
                                m[y * wu + x] = value;
                            }
                        }
                    }
                }
            }
        }
    }
    m
}

fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p.0 - (a.0 + t * dx)).hypot(p.1 - (a.1 + t * dy))
}

/// The mask feathered inward: a selected pixel's weight grows from the edge
/// (1 / (`feather` + 1) for a pixel touching an unselected one, chessboard
/// distance) to 255 `feather` pixels in; unselected pixels stay 0.
pub fn feather(mask: &[u8], w: u32, h: u32, feather: u32) -> Vec<u8> {
    let (wu, hu) = (w as usize, h as usize);
    if mask.len() != wu * hu {
        return mask.to_vec();
    }
    let cap = feather + 1;
    // Two-pass chessboard distance to the nearest unselected pixel (the image
    // border does not count as unselected: a region at the edge stays whole).
    let mut d: Vec<u32> = mask.iter().map(|&v| if v == 0 { 0 } else { cap }).collect();
    for y in 0..hu {
        for x in 0..wu {
            let i = y * wu + x;
            if d[i] == 0 {
                continue;
            }
            let mut best = d[i];
            if x > 0 {
                best = best.min(d[i - 1] + 1);
            }
            if y > 0 {
                best = best.min(d[i - wu] + 1);
                if x > 0 {
                    best = best.min(d[i - wu - 1] + 1);
                }
                if x + 1 < wu {
                    best = best.min(d[i - wu + 1] + 1);
                }
            }
            d[i] = best;
        }
    }
    for y in (0..hu).rev() {
        for x in (0..wu).rev() {
            let i = y * wu + x;
            if d[i] == 0 {
                continue;
            }
            let mut best = d[i];
            if x + 1 < wu {
                best = best.min(d[i + 1] + 1);
            }
            if y + 1 < hu {
                best = best.min(d[i + wu] + 1);
                if x + 1 < wu {
                    best = best.min(d[i + wu + 1] + 1);
                }
                if x > 0 {
                    best = best.min(d[i + wu - 1] + 1);
                }
            }
            d[i] = best;
        }
    }
    d.iter()
        .map(|&v| ((v.min(cap) * 255 + cap / 2) / cap) as u8)
        .collect()
}

/// The source (RGBA) with the model's output (RGBA, already at the source's
/// size) inside the selection, weighted by `alpha` (a feathered mask).
/// Where `alpha` is 0 the source's bytes are copied unchanged.
pub fn composite(source: &[u8], output: &[u8], alpha: &[u8]) -> Vec<u8> {
    let mut out = source.to_vec();
    if output.len() != source.len() || alpha.len() * 4 != source.len() {
        return out;
    }
    for (i, &a) in alpha.iter().enumerate() {
        if a == 0 {
            continue;
        }
        let a = u32::from(a);
        for k in 0..4 {
            let j = i * 4 + k;
            let (s, o) = (u32::from(source[j]), u32::from(output[j]));
            out[j] = ((o * a + s * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

/// The copy that shows the model where to work: the selected pixels tinted
/// half red, and a 3-pixel red outline just outside the selection.
pub fn mark(source: &[u8], mask: &[u8], w: u32, h: u32) -> Vec<u8> {
    let (wu, hu) = (w as usize, h as usize);
    let mut out = source.to_vec();
    if mask.len() != wu * hu || source.len() != wu * hu * 4 {
        return out;
    }
    let near_selection = |x: usize, y: usize| {
        let r = 3usize;
        (y.saturating_sub(r)..(y + r + 1).min(hu))
            .any(|yy| (x.saturating_sub(r)..(x + r + 1).min(wu)).any(|xx| mask[yy * wu + xx] != 0))
    };
    for y in 0..hu {
        for x in 0..wu {
            let i = y * wu + x;
            let p = &mut out[i * 4..i * 4 + 4];
            if mask[i] != 0 {
                p[0] = ((u32::from(p[0]) + 255) / 2) as u8;
                p[1] /= 2;
                p[2] /= 2;
            } else if near_selection(x, y) {
                p.copy_from_slice(&[255, 0, 0, 255]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Mark {
        Mark::Rect { x0, y0, x1, y1 }
    }

    #[test]
    fn a_rectangle_selects_the_pixels_whose_centres_it_covers() {
        let sel = Selection {
            marks: vec![rect(3.0, 2.0, 1.0, 0.0)],
        };
        let m = mask(&sel, 4, 3);
        assert_eq!(m, vec![0, 255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0]);
        // Dragged past the image: clipped to it.
        let m = mask(
            &Selection {
                marks: vec![rect(-10.0, -10.0, 99.0, 99.0)],
            },
            4,
            3,
        );
        assert!(m.iter().all(|&v| v == 255));
    }

    #[test]
    fn the_eraser_removes_what_the_brush_painted() {
        let brush = Mark::Stroke {
            points: vec![(0.0, 5.0), (10.0, 5.0)],
            radius: 2.0,
            erase: false,
        };
        let m = mask(
            &Selection {
                marks: vec![brush.clone()],
            },
            10,
            10,
        );
        assert_eq!(m[5 * 10 + 5], 255);
        assert_eq!(m[0], 0);
        let eraser = Mark::Stroke {
            points: vec![(5.0, 0.0), (5.0, 10.0)],
            radius: 1.5,
            erase: true,
        };
        let m = mask(
            &Selection {
                marks: vec![brush, eraser],
            },
            10,
            10,
        );
        assert_eq!(m[5 * 10 + 5], 0, "erased");
        assert_eq!(m[5 * 10 + 1], 255, "kept");
    }

    #[test]
    fn the_feather_stays_inside_the_selection() {
        let m = mask(
            &Selection {
                marks: vec![rect(2.0, 2.0, 12.0, 12.0)],
            },
            14,
            14,
        );
        let f = feather(&m, 14, 14, FEATHER_PX);
        for (a, b) in m.iter().zip(&f) {
            assert_eq!(*a == 0, *b == 0, "no weight outside, some inside");
        }
        assert_eq!(f[2 * 14 + 2], 85, "edge pixel: a third");
        assert_eq!(f[3 * 14 + 3], 170);
        assert_eq!(f[7 * 14 + 7], 255, "well inside: the output whole");
    }

    #[test]
    fn the_composite_copies_the_source_outside_exactly() {
        let (w, h) = (8u32, 4u32);
        let source: Vec<u8> = (0..w * h * 4).map(|i| (i * 7 % 251) as u8).collect();
        let output = vec![9u8; source.len()];
        let m = mask(
            &Selection {
                marks: vec![rect(0.0, 0.0, 4.0, 4.0)],
            },
            w,
            h,
        );
        let c = composite(&source, &output, &feather(&m, w, h, FEATHER_PX));
        for y in 0..h as usize {
            for x in 0..w as usize {
                let i = (y * w as usize + x) * 4;
                if x >= 4 {
                    assert_eq!(c[i..i + 4], source[i..i + 4], "outside: the source's bytes");
                }
            }
        }
        // Inside, away from the edge (at the image border there is no edge).
        assert_eq!(c[0..4], [9, 9, 9, 9]);
        // A size mismatch changes nothing.
        assert_eq!(composite(&source, &output[1..], &m), source);
    }

    #[test]
    fn the_marked_copy_tints_inside_and_outlines_outside() {
        let (w, h) = (10u32, 1u32);
        let source = vec![100u8; 40];
        let m = mask(
            &Selection {
                marks: vec![rect(0.0, 0.0, 3.0, 1.0)],
            },
            w,
            h,
        );
        let out = mark(&source, &m, w, h);
        assert_eq!(out[0..4], [177, 50, 50, 100]);
        assert_eq!(out[12..16], [255, 0, 0, 255], "outline");
        assert_eq!(out[36..40], [100, 100, 100, 100], "far away: unchanged");
    }

    #[test]
    fn the_wrapper_carries_the_instruction() {
        let t = wrap_instruction(" make it a cat. ");
        assert!(t.contains("inside that area: make it a cat. Keep everything"));
        assert!(t.starts_with("Edit the first image."));
    }

    #[test]
    fn a_selection_round_trips_as_json() {
        let sel = Selection {
            marks: vec![
                rect(1.0, 2.0, 3.0, 4.0),
                Mark::Stroke {
                    points: vec![(1.0, 1.0)],
                    radius: 3.0,
                    erase: true,
                },
            ],
        };
        let json = serde_json::to_string(&sel).unwrap_or_default();
        assert!(json.contains(r#""kind":"rect""#));
        assert_eq!(serde_json::from_str::<Selection>(&json).ok(), Some(sel));
    }

    #[test]
    fn a_selection_read_back_is_refused_when_its_mask_would_be_unbounded_work() {
        let stroke = |points: Vec<(f64, f64)>, radius: f64| Mark::Stroke {
            points,
            radius,
            erase: false,
        };
        let ok = Selection {
            marks: vec![
                Mark::Rect {
                    x0: 0.0,
                    y0: 0.0,
                    x1: 10.0,
                    y1: 10.0,
                },
                stroke((0..500).map(|i| (i as f64, 20.0)).collect(), 24.0),
            ],
        };
        assert_eq!(ok.clone().checked(), Some(ok));
        let huge_radius = Selection {
            marks: vec![stroke(vec![(1.0, 1.0), (2.0, 2.0)], 1e9)],
        };
        assert_eq!(huge_radius.checked(), None);
        let many_points = Selection {
            marks: vec![stroke(vec![(1.0, 1.0); MAX_POINTS + 1], 1.0)],
        };
        assert_eq!(many_points.checked(), None);
        let far_apart = Selection {
            marks: vec![stroke(
                (0..2_000).map(|i| ((i % 2) as f64 * 1e6, 0.0)).collect(),
                500.0,
            )],
        };
        assert_eq!(far_apart.checked(), None, "long segments: too much work");
        let many_marks = Selection {
            marks: vec![
                Mark::Rect {
                    x0: 0.0,
                    y0: 0.0,
                    x1: 1.0,
                    y1: 1.0
                };
                MAX_MARKS + 1
            ],
        };
        assert_eq!(many_marks.checked(), None);
    }
}
