package dev.perceiver.inference.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perceiver.model.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json}) run by DJL's tokenizers binding, without truncation or
 * padding. The roles of special tokens (pad, eos, mask) come from {@code special_tokens_map.json} or
 * {@code tokenizer_config.json} beside it, as {@code AutoTokenizer.from_pretrained} reads them; their ids from the
 * tokenizer's added tokens or vocabulary.
 */
public final class HuggingFaceTextTokenizer implements TextTokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final HuggingFaceTokenizer tokenizer;
    private final int vocabSize;
    private final Set<Long> specialIds;
    private final long padId;
    private final Long eosId;
    private final Long maskId;
    private final String maskToken;
    private final String tokenizerClass;

    private HuggingFaceTextTokenizer(
            Path dir,
            HuggingFaceTokenizer tokenizer,
            int vocabSize,
            Set<Long> specialIds,
            long padId,
            Long eosId,
            Long maskId,
            String maskToken,
            String tokenizerClass) {
        this.dir = dir;
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.specialIds = specialIds;
        this.padId = padId;
        this.eosId = eosId;
        this.maskId = maskId;
        this.maskToken = maskToken;
        this.tokenizerClass = tokenizerClass;
    }

    /**
     * Loads {@code tokenizer.json} of a folder with the special tokens named in its
     * {@code special_tokens_map.json} / {@code tokenizer_config.json}. Without a pad token the EOS token pads (as
     * Hugging Face generation does), without either id 0.
     */
    public static HuggingFaceTextTokenizer load(Path dir) throws IOException {
        Path file = dir.resolve(TOKENIZER_JSON);
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no Hugging Face tokenizer file");
        }
        JsonNode spec;
        try {
            spec = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        Map<String, Long> vocab = new HashMap<>();
        Set<Long> special = new HashSet<>();
        long maxId = -1;
        JsonNode model = spec.path("model").path("vocab");
        if (model.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = model.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                vocab.put(e.getKey(), e.getValue().asLong());
                maxId = Math.max(maxId, e.getValue().asLong());
            }
        } else if (model.isArray()) { // Unigram: [[piece, score], ...], id = index
            for (int i = 0; i < model.size(); i++) {
                vocab.put(model.get(i).path(0).asText(), (long) i);
            }
            maxId = model.size() - 1;
        }
        for (JsonNode t : spec.path("added_tokens")) {
            long id = t.path("id").asLong(-1);
            String content = t.path("content").asText();
            if (id < 0) {
                throw new IOException(file + ": added token '" + content + "' has no id");
            }
            vocab.put(content, id);
            maxId = Math.max(maxId, id);
            if (t.path("special").asBoolean(false)) {
                special.add(id);
            }
        }
        if (maxId < 0) {
            throw new IOException(file + ": tokenizer has an empty vocabulary");
        }
        Map<String, String> roles = specialTokenRoles(dir);
        Long eos = lookup(vocab, roles.get("eos_token"));
        Long mask = lookup(vocab, roles.get("mask_token"));
        Long pad = lookup(vocab, roles.get("pad_token"));
        if (pad == null) {
            pad = eos != null ? eos : 0L;
        }
        for (String role :
                List.of("eos_token", "mask_token", "pad_token", "bos_token", "cls_token", "sep_token", "unk_token")) {
            Long id = lookup(vocab, roles.get(role));
            if (id != null) {
                special.add(id);
            }
        }
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optTruncation(false)
                .optPadding(false)
                .optAddSpecialTokens(true)
                .build();
        return new HuggingFaceTextTokenizer(
                dir,
                tokenizer,
                (int) (maxId + 1),
                special,
                pad,
                eos,
                mask,
                mask == null ? null : roles.get("mask_token"),
                roles.get("tokenizer_class"));
    }

    /** Special token strings by role ({@code pad_token}, ...) and {@code tokenizer_class}; the map file wins. */
    private static Map<String, String> specialTokenRoles(Path dir) throws IOException {
        Map<String, String> roles = new HashMap<>();
        for (String name : List.of(TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP)) {
            Path p = dir.resolve(name);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(p.toFile());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(p + ": invalid JSON: " + e.getOriginalMessage(), e);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (e.getKey().endsWith("_token") || e.getKey().equals("tokenizer_class")) {
                    String s = v.isTextual()
                            ? v.asText()
                            : v.path("content").isTextual() ? v.path("content").asText() : null;
                    if (s != null) {
                        roles.put(e.getKey(), s);
                    }
                }
            }
        }
        return roles;
    }

    private static Long lookup(Map<String, Long> vocab, String token) {
        return token == null ? null : vocab.get(token);
    }

    @Override
    public long[] encode(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false).getIds();
    }

    @Override
    public String decode(long[] ids, boolean skipSpecialTokens) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token id (" + ids[i] + ") at position " + i + " out of range [0, "
                        + vocabSize + ") (vocab_size)");
            }
        }
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public long padTokenId() {
        return padId;
    }

    @Override
    public OptionalLong eosTokenId() {
        return eosId == null ? OptionalLong.empty() : OptionalLong.of(eosId);
    }

    @Override
    public OptionalLong maskTokenId() {
        return maskId == null ? OptionalLong.empty() : OptionalLong.of(maskId);
    }

    @Override
    public String maskToken() {
        return maskToken;
    }

    @Override
    public boolean isSpecial(long id) {
        return specialIds.contains(id);
    }

    @Override
    public String tokenizerClass() {
        return tokenizerClass;
    }

    /** Copies {@code tokenizer.json} and, where present, the two Hugging Face option files into {@code target}. */
    @Override
    public void save(Path target) throws IOException {
        Files.createDirectories(target);
        for (String name : List.of(TOKENIZER_JSON, TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP)) {
            Path src = dir.resolve(name);
            Path dst = target.resolve(name);
            if (Files.isRegularFile(src) && !(Files.exists(dst) && Files.isSameFile(src, dst))) {
                AtomicFiles.writeBytes(dst, Files.readAllBytes(src));
            }
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
