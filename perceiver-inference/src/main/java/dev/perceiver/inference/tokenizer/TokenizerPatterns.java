package dev.perceiver.inference.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.model.limits.InputLimits;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks the regular expressions of a {@code tokenizer.json} (the {@code {"Regex": ...}} patterns of {@code Split}
 * pre-tokenizers and {@code Replace} normalizers / decoders) before the file reaches the native tokenizers library.
 *
 * <p>Why: the library matches them with Oniguruma, and when a match exceeds Oniguruma's backtracking limit it panics
 * inside native code, which aborts the whole JVM (SIGABRT, exit 134) instead of raising an exception. A pattern whose
 * matching can backtrack exponentially is therefore refused up front. Refused: a repeated group ({@code *}, {@code +},
 * <code>{n,}</code> or <code>{n,m}</code> with m &gt; 1) that itself contains a repetition or an alternation (the
 * classic {@code (a+)+}, {@code (a|a)*}), back-references ({@code \1}, {@code \k<name>}), and patterns longer than
 * {@link InputLimits#MAX_TOKENIZER_PATTERN_LENGTH}. The patterns of published tokenizers (GPT-2, Llama 3, ...) have
 * none of these: their alternations and repetitions are not nested under a repetition.
 */
final class TokenizerPatterns {
    private TokenizerPatterns() {}

    /**
     * Checks every regex pattern in a parsed {@code tokenizer.json}.
     *
     * @return null if all are safe, else a message naming the JSON path of the first unsafe pattern and why
     */
    static String firstUnsafe(JsonNode spec) {
        return scan(spec, "", 0);
    }

    private static String scan(JsonNode node, String path, int depth) {
        if (depth > 64) {
            return path + ": nested more than 64 levels deep";
        }
        if (node.isObject()) {
            JsonNode regex = node.get("Regex");
            if (regex != null) {
                String why = regex.isTextual() ? unsafe(regex.asText()) : "is not a string";
                if (why != null) {
                    return path + ".Regex " + why;
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals("model")) { // the vocabulary holds no patterns
                    String found = scan(f.getValue(), path + "." + f.getKey(), depth + 1);
                    if (found != null) {
                        return found;
                    }
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = scan(node.get(i), path + "[" + i + "]", depth + 1);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * Why a pattern could make the native matcher abort, or null.
     *
     * <p>A small scanner of the Oniguruma syntax: it tracks, per open group, whether the group holds a repetition or
     * an alternation, and looks at the quantifier that follows each closing parenthesis.
     */
    static String unsafe(String pattern) {
        if (pattern.length() > InputLimits.MAX_TOKENIZER_PATTERN_LENGTH) {
            return "pattern of " + pattern.length() + " characters exceeds the limit of "
                    + InputLimits.MAX_TOKENIZER_PATTERN_LENGTH;
        }
        // per nesting level: bit 0 = holds a repetition, bit 1 = holds an alternation
        int[] flags = new int[pattern.length() + 2];
        int level = 0;
        int i = 0;
        int n = pattern.length();
        while (i < n) {
            char c = pattern.charAt(i);
            int repeated;
            if (c == '\\') {
                if (i + 1 < n
                        && (Character.isDigit(pattern.charAt(i + 1)) && pattern.charAt(i + 1) != '0'
                                || pattern.charAt(i + 1) == 'k'
                                || pattern.charAt(i + 1) == 'g')) {
                    return "uses a back-reference or subexpression call ('\\" + pattern.charAt(i + 1)
                            + "'), which can backtrack exponentially";
                }
                i = skipEscape(pattern, i);
                repeated = quantifierAt(pattern, i);
            } else if (c == '[') {
                i = skipClass(pattern, i);
                repeated = quantifierAt(pattern, i);
            } else if (c == '(') {
                level++;
                flags[level] = 0;
                i++;
                continue;
            } else if (c == ')') {
                if (level == 0) {
                    return "has an unbalanced ')'";
                }
                int inner = flags[level];
                level--;
                i++;
                repeated = quantifierAt(pattern, i);
                if (repeated > 0 && inner != 0) {
                    return "repeats a group that holds " + ((inner & 1) != 0 ? "a repetition" : "an alternation")
                            + " (nested repetition can backtrack exponentially)";
                }
                flags[level] |= inner;
            } else if (c == '|') {
                flags[level] |= 2;
                i++;
                continue;
            } else {
                i++;
                repeated = quantifierAt(pattern, i);
            }
            if (repeated > 0) {
                flags[level] |= 1;
            }
            i = skipQuantifier(pattern, i);
        }
        return level == 0 ? null : "has an unbalanced '('";
    }

    private static int skipEscape(String p, int i) {
        int j = i + 2;
        if (j - 1 < p.length()
                && (p.charAt(j - 1) == 'p' || p.charAt(j - 1) == 'P')
                && j < p.length()
                && p.charAt(j) == '{') {
            int close = p.indexOf('}', j);
            return close < 0 ? p.length() : close + 1;
        }
        return Math.min(j, p.length());
    }

    private static int skipClass(String p, int i) {
        int depth = 0;
        int j = i;
        while (j < p.length()) {
            char c = p.charAt(j);
            if (c == '\\') {
                j += 2;
                continue;
            }
            if (c == '[') {
                depth++;
            } else if (c == ']' && j > i + 1 && !(j == i + 2 && p.charAt(i + 1) == '^')) {
                depth--;
                if (depth == 0) {
                    return j + 1;
                }
            }
            j++;
        }
        return p.length();
    }

    /** 2 for an unbounded or multi-repetition quantifier at {@code i}, 0 for none or {@code ?} / <code>{0,1}</code>. */
    private static int quantifierAt(String p, int i) {
        if (i >= p.length()) {
            return 0;
        }
        char c = p.charAt(i);
        if (c == '*' || c == '+') {
            return 2;
        }
        if (c == '{') {
            int close = p.indexOf('}', i);
            if (close < 0) {
                return 0;
            }
            String body = p.substring(i + 1, close);
            if (!body.matches("\\d*,?\\d*") || body.isEmpty() || body.equals(",")) {
                return 0;
            }
            String[] parts = body.split(",", -1);
            if (parts.length == 1) {
                return parts[0].isEmpty() || Long.parseLong(trim(parts[0])) > 1 ? 2 : 0;
            }
            return parts[1].isEmpty() || Long.parseLong(trim(parts[1])) > 1 ? 2 : 0;
        }
        return 0;
    }

    private static String trim(String digits) {
        return digits.length() > 9 ? "999999999" : digits;
    }

    private static int skipQuantifier(String p, int i) {
        if (i >= p.length()) {
            return i;
        }
        char c = p.charAt(i);
        int j = i;
        if (c == '*' || c == '+' || c == '?') {
            j = i + 1;
        } else if (c == '{') {
            int close = p.indexOf('}', i);
            if (close > 0 && p.substring(i + 1, close).matches("\\d*,?\\d*")) {
                j = close + 1;
            }
        }
        if (j > i && j < p.length() && (p.charAt(j) == '?' || p.charAt(j) == '+')) {
            j++; // lazy or possessive
        }
        return j;
    }
}
