//! Token-level tests of the whole pipeline, table style: each case gives the
//! input text and the expected `(token, position)` list.

use proptest::prelude::*;

use super::*;

/// Token texts and positions of `text` in `mode`.
fn texts(mode: Mode, text: &str) -> Vec<(String, usize)> {
    Analyzer::default().tokens(mode, text).into_iter().map(|t| (t.text, t.position)).collect()
}

macro_rules! token_cases {
    ($mode:expr, $( $name:ident: $text:expr => [$( ($tok:expr, $pos:expr) ),* $(,)?] ;)*) => {
        $(
            #[test]
            fn $name() {
                let got = texts($mode, $text);
                let want: Vec<(String, usize)> = vec![$( ($tok.to_string(), $pos) ),*];
                assert_eq!(got, want, "help: tokens of {:?} in {:?} mode", $text, $mode);
            }
        )*
    };
}

token_cases! { Mode::Words,
    // code: punctuation separates, positions count significant characters
    words_call: "sys.breakpointhook()" => [("sys", 0), ("breakpointhook", 3)];
    words_dunder: "__getattribute__" => [("getattribute", 0)];
    words_version: "3.8.20" => [("3", 0), ("8", 1), ("20", 2)];
    words_letter_digit: "TiDB v8.5" => [("tidb", 0), ("v", 4), ("8", 5), ("5", 6)];
    words_case: "CUDA cuda Cuda" => [("cuda", 0), ("cuda", 4), ("cuda", 8)];
    words_spaces: "py binding" => [("py", 0), ("binding", 2)];
    // full-width and the ideographic space fold to ASCII
    words_fullwidth: "ＴｉＤＢ　ｖ８．５" => [("tidb", 0), ("v", 4), ("8", 5), ("5", 6)];
    // search mode: sub-words share the character positions of the word
    words_subwords: "中国农业发展银行" => [("中国", 0), ("农业", 2), ("农业发展银行", 2), ("发展", 4), ("银行", 6)];
    words_gpu: "GPU利用率" => [("gpu", 0), ("利用", 3), ("利用率", 3), ("用率", 4)];
    // traditional folds to simplified before segmentation
    words_traditional: "標準庫" => [("标准", 0), ("库", 2)];
    words_simplified: "标准库" => [("标准", 0), ("库", 2)];
    // Kangxi radicals fold to ideographs
    words_kangxi: "⽬录" => [("目录", 0)];
    // punctuation and whitespace give nothing
    words_punct: " ，。、；：？！…—·()[]{}<>《》「」 \t\n" => [];
    words_empty: "" => [];
}

token_cases! { Mode::Grams,
    grams_han: "人类可读" => [("人", 0), ("人类", 0), ("类", 1), ("类可", 1), ("可", 2), ("可读", 2), ("读", 3)];
    grams_mixed: "py绑定" => [("py", 0), ("绑", 2), ("绑定", 2), ("定", 3)];
    grams_single: "灯" => [("灯", 0)];
}

#[test]
fn offsets_point_at_original_characters() {
    let text = "ＧＰＵ利用率 標準庫";
    for t in Analyzer::default().tokens(Mode::Words, text) {
        let orig = &text[t.offset_from..t.offset_to];
        assert_eq!(normalize_str(orig), t.text, "help: token {t:?}");
    }
}

#[test]
fn user_dictionary_adds_words() {
    let a = Analyzer::with_user_dict("压力工具 10 n\n").unwrap();
    let words: Vec<String> =
        a.tokens(Mode::Words, "压力工具").into_iter().map(|t| t.text).collect();
    assert!(words.contains(&"压力工具".to_string()), "{words:?}");
    let err = Analyzer::with_user_dict("word notanumber\n").unwrap_err();
    assert!(err.to_string().starts_with("invalid user dictionary"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn offsets_on_boundaries_and_positions_never_go_back(
        text in "[a-zA-Z0-9 .,_\\-中国标準庫利用率⽬目录ＴｉＤＢ　１２\u{2F00}-\u{2FD5}\u{0300}\u{1F512}ﬁé]{0,40}"
    ) {
        for mode in [Mode::Words, Mode::Grams] {
            let tokens = Analyzer::default().tokens(mode, &text);
            let mut last = 0;
            for t in &tokens {
                prop_assert!(text.is_char_boundary(t.offset_from));
                prop_assert!(text.is_char_boundary(t.offset_to));
                prop_assert!(t.offset_from < t.offset_to);
                prop_assert!(t.position >= last, "{tokens:?}");
                last = t.position;
                prop_assert!(!t.text.is_empty());
            }
        }
    }

    /// `segment::word_tokens` gives exactly the non-Han tokens that every
    /// mode gives (what the highlighter relies on to mark Latin words).
    #[test]
    fn word_tokens_are_the_non_han_tokens_of_every_mode(
        text in "[a-zA-Z0-9 .,_\\-中国标準庫利用率⽬目录ＴｉＤＢ　１２\u{2F00}-\u{2FD5}\u{0300}\u{1F512}ﬁé]{0,40}"
    ) {
        let mut norm = Normalized::default();
        norm.normalize(&text);
        let mut words = Vec::new();
        segment::word_tokens(&norm, &mut words);
        let key = |t: &Token| (t.text.clone(), t.offset_from, t.offset_to, t.position);
        let words: Vec<_> = words.iter().map(key).collect();
        for mode in [Mode::Words, Mode::Grams, Mode::Query] {
            let want: Vec<_> = Analyzer::default()
                .tokens(mode, &text)
                .iter()
                .filter(|t| !t.text.chars().any(is_han))
                .map(key)
                .collect();
            prop_assert_eq!(&words, &want, "{:?}", mode);
        }
    }
}
