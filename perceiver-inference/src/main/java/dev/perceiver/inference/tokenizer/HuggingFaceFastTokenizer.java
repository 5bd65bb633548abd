package dev.perceiver.inference.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.AtomicFiles;
import dev.perceiver.model.io.FolderFiles;
import dev.perceiver.model.limits.InputLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json}) run by DJL's tokenizers binding, without truncation or
 * padding. The roles of special tokens (pad, eos, mask, ...) come from {@code special_tokens_map.json} or
 * {@code tokenizer_config.json} beside the file, as {@code AutoTokenizer.from_pretrained} reads them; their ids from
 * the tokenizer's added tokens or vocabulary. Word ids are the tokenizer's own (its pre-tokenizer's words), as the
 * reference's whole-word masking uses them for fast tokenizers.
 */
public final class HuggingFaceFastTokenizer implements Tokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final int vocabSize;
    private final Set<Long> specialIds;
    private final Map<SpecialToken, Long> roleIds;
    private final Map<SpecialToken, String> roleTokens;
    private final String tokenizerClass;

    private HuggingFaceFastTokenizer(
            Path file,
            HuggingFaceTokenizer tokenizer,
            int vocabSize,
            Set<Long> specialIds,
            Map<SpecialToken, Long> roleIds,
            Map<SpecialToken, String> roleTokens,
            String tokenizerClass) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.specialIds = specialIds;
        this.roleIds = roleIds;
        this.roleTokens = roleTokens;
        this.tokenizerClass = tokenizerClass;
    }

    /**
     * Loads a {@code tokenizer.json} file with the special token roles named in the {@code special_tokens_map.json} /
     * {@code tokenizer_config.json} of its folder (a role whose token is not in the vocabulary is absent).
     *
     * @throws IOException naming the file if it is missing, not JSON or has an empty vocabulary
     */
    public static HuggingFaceFastTokenizer load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no Hugging Face tokenizer file");
        }
        JsonNode spec = readJson(file);
        if (!spec.isObject()) {
            throw new IOException(file + ": not a tokenizer.json (expected a JSON object)");
        }
        String unsafe = TokenizerPatterns.firstUnsafe(spec);
        if (unsafe != null) {
            throw new IOException(file + ": refusing the tokenizer, its pattern " + unsafe
                    + "; the native tokenizer library would abort the JVM on such a pattern");
        }
        Map<String, Long> vocab = new HashMap<>();
        Set<Long> special = new HashSet<>();
        long maxId = -1;
        JsonNode model = spec.path("model").path("vocab");
        if (model.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = model.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                long id = tokenId(file, "vocabulary token", e.getValue());
                vocab.put(e.getKey(), id);
                maxId = Math.max(maxId, id);
            }
        } else if (model.isArray()) { // Unigram: [[piece, score], ...], id = index
            for (int i = 0; i < model.size(); i++) {
                vocab.put(model.get(i).path(0).asText(), (long) i);
            }
            maxId = model.size() - 1;
            if (maxId > InputLimits.MAX_TOKEN_ID) {
                throw new IOException(file + ": vocabulary of " + model.size() + " pieces exceeds the limit of "
                        + (InputLimits.MAX_TOKEN_ID + 1));
            }
        }
        checkUnknownToken(file, spec, vocab);
        for (JsonNode t : spec.path("added_tokens")) {
            if (!t.path("id").isIntegralNumber()) {
                throw new IOException(
                        file + ": added token " + t.path("content").asText() + " has no integer id");
            }
            long id = tokenId(file, "added token", t.path("id"));
            String content = t.path("content").asText();
            vocab.put(content, id);
            maxId = Math.max(maxId, id);
            if (t.path("special").asBoolean(false)) {
                special.add(id);
            }
        }
        if (maxId < 0) {
            throw new IOException(file + ": tokenizer has an empty vocabulary");
        }
        Map<String, String> named = specialTokenRoles(file.toAbsolutePath().getParent());
        Map<SpecialToken, Long> roleIds = new EnumMap<>(SpecialToken.class);
        Map<SpecialToken, String> roleTokens = new EnumMap<>(SpecialToken.class);
        for (SpecialToken role : SpecialToken.values()) {
            String token = named.get(role.key());
            Long id = token == null ? null : vocab.get(token);
            if (id != null) {
                roleIds.put(role, id);
                roleTokens.put(role, token);
                special.add(id);
            }
        }
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
        } catch (RuntimeException e) { // the native library's parse errors arrive as plain RuntimeExceptions
            throw new IOException(file + ": the tokenizers library cannot read it (" + e.getMessage() + ")", e);
        }
        return new HuggingFaceFastTokenizer(
                file, tokenizer, (int) (maxId + 1), special, roleIds, roleTokens, named.get("tokenizer_class"));
    }

    /**
     * The model's {@code unk_token}, where it names one, must be in the model's vocabulary: the library loads such a
     * file, then fails in native code on the first word it does not know.
     */
    private static void checkUnknownToken(Path file, JsonNode spec, Map<String, Long> vocab) throws IOException {
        JsonNode unk = spec.path("model").path("unk_token");
        if (spec.path("model").path("vocab").isObject() && unk.isTextual() && !vocab.containsKey(unk.asText())) {
            throw new IOException(
                    file + ": model.unk_token '" + abbreviate(unk.asText()) + "' is not in the model's vocabulary");
        }
    }

    /** A token id from the file: an integer in [0, {@link InputLimits#MAX_TOKEN_ID}]. */
    private static long tokenId(Path file, String what, JsonNode id) throws IOException {
        if (!id.isIntegralNumber()
                || !id.canConvertToLong()
                || id.asLong() < 0
                || id.asLong() > InputLimits.MAX_TOKEN_ID) {
            throw new IOException(file + ": " + what + " id " + (id.isNumber() ? id.asText() : "(not an integer)")
                    + " is outside [0, " + InputLimits.MAX_TOKEN_ID + "]");
        }
        return id.asLong();
    }

    /** Special token strings by role ({@code pad_token}, ...) and {@code tokenizer_class}; the map file wins. */
    private static Map<String, String> specialTokenRoles(Path dir) throws IOException {
        Map<String, String> roles = new HashMap<>();
        for (String name : List.of(TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP)) {
            Path p = FolderFiles.confined(dir, name);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            JsonNode node = readJson(p);
            if (!node.isObject()) {
                throw new IOException(p + ": expected a JSON object");
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

    private static JsonNode readJson(Path p) throws IOException {
        try {
            return JSON.readTree(FolderFiles.readConfigText(p));
        } catch (JsonProcessingException e) {
            throw new IOException(p + ": " + ConfigJson.describe(e), e);
        }
    }

    @Override
    public long[] encode(String text, boolean addSpecialTokens) {
        return nativeEncode(text, addSpecialTokens).getIds();
    }

    /**
     * The native library's encoding; its errors (a plain {@link RuntimeException} from a file the library loaded but
     * cannot apply) become an {@link IllegalArgumentException} naming the file.
     */
    private Encoding nativeEncode(String text, boolean addSpecialTokens) {
        try {
            return tokenizer.encode(text, addSpecialTokens, false);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    file + ": the tokenizer cannot encode the text (" + abbreviate(String.valueOf(e.getMessage()))
                            + ")",
                    e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Word ids from the tokenizer's pre-tokenizer (Hugging Face's {@code Encoding.word_ids()}). */
    @Override
    public EncodedText encodeWithWordIds(String text, boolean addSpecialTokens) {
        Encoding encoding = nativeEncode(text, addSpecialTokens);
        long[] ids = encoding.getIds();
        long[] words = encoding.getWordIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = words[i] < 0 || specialIds.contains(ids[i]) ? NO_WORD : Math.toIntExact(words[i]);
        }
        return new EncodedText(ids, out);
    }

    @Override
    public String decode(long[] ids, boolean skipSpecialTokens) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token id (" + ids[i] + ") at position " + i + " out of range [0, "
                        + vocabSize + ") (vocab_size)");
            }
        }
        try {
            return tokenizer.decode(ids, skipSpecialTokens);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    file + ": the tokenizer cannot decode the ids (" + abbreviate(String.valueOf(e.getMessage())) + ")",
                    e);
        }
    }

    /** One more than the largest id of the vocabulary and the added tokens. */
    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public OptionalLong tokenId(SpecialToken role) {
        Long id = roleIds.get(role);
        return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    @Override
    public Optional<String> token(SpecialToken role) {
        return Optional.ofNullable(roleTokens.get(role));
    }

    @Override
    public boolean isSpecial(long id) {
        return specialIds.contains(id);
    }

    @Override
    public String tokenizerClass() {
        return tokenizerClass;
    }

    /**
     * Copies the tokenizer file into {@code target} as {@code tokenizer.json} and, where present beside it, the two
     * Hugging Face option files.
     */
    @Override
    public void save(Path target) throws IOException {
        Files.createDirectories(target);
        copy(file, target.resolve(TOKENIZER_JSON));
        Path dir = file.toAbsolutePath().getParent();
        for (String name : List.of(TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP)) {
            Path src = dir.resolve(name);
            if (Files.isRegularFile(src)) {
                copy(src, target.resolve(name));
            }
        }
    }

    private static void copy(Path src, Path dst) throws IOException {
        if (!(Files.exists(dst) && Files.isSameFile(src, dst))) {
            AtomicFiles.writeBytes(dst, Files.readAllBytes(src));
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
