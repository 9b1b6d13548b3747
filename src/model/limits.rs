//! Limits a person meets before anything is sent.

use gemini::Settings;

use super::labels::model_name;

/// The model's reference-image limit, reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLimit {
    /// The model's name, for the sentence.
    pub model: String,
    pub max: usize,
}

impl std::fmt::Display for ImageLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} takes at most {} reference images",
            self.model, self.max
        )
    }
}

/// Whether one more image may be attached to the `attached` ones.
pub fn room_for_one(attached: usize, settings: &Settings) -> Result<(), ImageLimit> {
    let max = settings.caps().max_images;
    if attached < max {
        Ok(())
    } else {
        Err(ImageLimit {
            model: model_name(&settings.model),
            max,
        })
    }
}

/// After a model change: what to say if more images are attached than the new
/// model takes.
pub fn over_limit(attached: usize, settings: &Settings) -> Option<String> {
    let max = settings.caps().max_images;
    (attached > max).then(|| {
        format!(
            "this model takes {max} reference images and {attached} are attached: remove {} before generating",
            attached - max
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_comes_from_the_model_table() {
        let s = Settings::default();
        let max = s.caps().max_images;
        assert!(room_for_one(max - 1, &s).is_ok());
        let e = room_for_one(max, &s).unwrap_err();
        assert_eq!(e.max, max);
        assert!(e
            .to_string()
            .ends_with(&format!("takes at most {max} reference images")));
        assert_eq!(over_limit(max, &s), None);
        assert!(over_limit(max + 2, &s).unwrap().contains("remove 2"));
    }
}
