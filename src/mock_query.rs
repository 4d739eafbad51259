//! What the generated mock helpers match a query parameter against: the
//! pairs the client sends for its value.

use serde::Serialize;

/// The query pairs the client sends for parameter `name` with `value`,
/// written by the same serialiser (`progenitor_client::QueryParam`): a list
/// repeats the key (`tags=a&tags=b`, as FastAPI reads a list), a union
/// sends the variant it holds, an object its fields, an absent value
/// nothing. A value the query cannot carry (a nested object, which the
/// client refuses to send) is matched as its JSON text: the mock then
/// matches no request.
pub fn pairs<T: Serialize + ?Sized>(name: &str, value: &T) -> Vec<(String, String)> {
    serde_urlencoded::to_string(progenitor_client::QueryParam::new(name, &value))
        .ok()
        .and_then(|query| serde_urlencoded::from_str(&query).ok())
        .unwrap_or_else(|| {
            let json = serde_json::to_string(value).unwrap_or_default();
            vec![(name.to_owned(), json)]
        })
}

#[cfg(test)]
mod tests {
    use super::pairs;

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[derive(serde::Serialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }

    #[test]
    fn a_list_repeats_the_key_and_a_union_sends_its_variant() {
        assert_eq!(pairs("limit", &5), owned(&[("limit", "5")]));
        assert_eq!(pairs("q", "a b&c"), owned(&[("q", "a b&c")]));
        assert_eq!(
            pairs("tag", &vec!["a", "b"]),
            owned(&[("tag", "a"), ("tag", "b")])
        );
        let many = OneOrMany::Many(vec!["x".into(), "y".into()]);
        assert_eq!(pairs("id", &many), owned(&[("id", "x"), ("id", "y")]));
        assert_eq!(
            pairs("id", &OneOrMany::One("x".into())),
            owned(&[("id", "x")])
        );
        assert_eq!(pairs("id", &None::<i32>), owned(&[]));
    }

    #[test]
    fn an_object_sends_its_fields_and_a_nested_one_its_json_text() {
        let object = serde_json::json!({"a": 1});
        assert_eq!(pairs("f", &object), owned(&[("a", "1")]));
        let nested = serde_json::json!({"a": {"b": 1}});
        assert_eq!(pairs("f", &nested), owned(&[("f", r#"{"a":{"b":1}}"#)]));
    }
}
