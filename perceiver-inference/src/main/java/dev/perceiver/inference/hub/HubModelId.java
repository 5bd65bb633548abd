package dev.perceiver.inference.hub;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model repository of the Hugging Face Hub at a revision, written {@code owner/name} or {@code
 * owner/name@revision} (a branch, a tag or a commit hash; default {@value #DEFAULT_REVISION}).
 *
 * @param repoId {@code owner/name}: letters, digits, {@code . _ -}, no {@code --} or {@code ..}, at most 96 characters
 * @param revision branch, tag or commit hash; segments separated by {@code /} (e.g. {@code refs/pr/1}), none of
 *     them empty, {@code .} or {@code ..}
 */
public record HubModelId(String repoId, String revision) {
    /** The revision of an id that names none. */
    public static final String DEFAULT_REVISION = "main";

    private static final Pattern ID = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    /** Checks both parts. */
    public HubModelId {
        Objects.requireNonNull(repoId, "repoId");
        Objects.requireNonNull(revision, "revision");
        Matcher m = ID.matcher(repoId);
        if (!m.matches() || repoId.contains("--") || repoId.contains("..") || repoId.length() > 96) {
            throw new IllegalArgumentException("Hub model id '" + repoId
                    + "' must be owner/name (letters, digits, '.', '_', '-'; no '--' or '..'; at most 96 characters)");
        }
        if (!isSafePath(revision)) {
            throw new IllegalArgumentException("revision '" + revision + "' of " + repoId
                    + " must be a branch, tag or commit hash (letters, digits, '.', '_', '-', '/' between parts)");
        }
    }

    /**
     * Reads {@code owner/name} or {@code owner/name@revision}.
     *
     * @return the id, or empty if the text is not of that form
     */
    public static Optional<HubModelId> parse(String text) {
        Objects.requireNonNull(text, "text");
        int at = text.indexOf('@');
        String repo = at < 0 ? text : text.substring(0, at);
        String revision = at < 0 ? DEFAULT_REVISION : text.substring(at + 1);
        try {
            return Optional.of(new HubModelId(repo, revision));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether the revision is a full commit hash (40 lowercase hex digits), which needs no ref. */
    public boolean pinned() {
        return isCommitHash(revision);
    }

    /** Whether a text is a full commit hash (40 lowercase hex digits). */
    public static boolean isCommitHash(String text) {
        return COMMIT.matcher(text).matches();
    }

    /**
     * Whether a relative path is safe to resolve inside a folder: segments of letters, digits, {@code . _ -} split by
     * {@code /}, none empty, {@code .} or {@code ..}.
     */
    static boolean isSafePath(String path) {
        if (path.isEmpty() || path.length() > 512) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** The folder name of the repository in the hub cache, {@code models--owner--name}. */
    public String cacheFolderName() {
        return "models--" + repoId.replace("/", "--");
    }

    @Override
    public String toString() {
        return revision.equals(DEFAULT_REVISION) ? repoId : repoId + "@" + revision;
    }
}
