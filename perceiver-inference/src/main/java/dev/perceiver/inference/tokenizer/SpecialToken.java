package dev.perceiver.inference.tokenizer;

/**
 * The roles a special token can play, named as Hugging Face's {@code special_tokens_map.json} and
 * {@code tokenizer_config.json} name them ({@link #key()}: {@code pad_token}, {@code eos_token}, ...).
 */
public enum SpecialToken {
    /** Padding ({@code pad_token}). */
    PAD("pad_token"),
    /** Begin of sequence ({@code bos_token}). */
    BOS("bos_token"),
    /** End of sequence ({@code eos_token}); separates documents in causal language modelling. */
    EOS("eos_token"),
    /** Unknown token ({@code unk_token}). */
    UNK("unk_token"),
    /** Mask token of masked language modelling ({@code mask_token}). */
    MASK("mask_token"),
    /** Classification token put before a text ({@code cls_token}). */
    CLS("cls_token"),
    /** Separator put after a text ({@code sep_token}). */
    SEP("sep_token");

    private final String key;

    SpecialToken(String key) {
        this.key = key;
    }

    /** Key of the role in Hugging Face's tokenizer files, e.g. {@code mask_token}. */
    public String key() {
        return key;
    }
}
