package dev.perceiver.model.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted pickle virtual machine (the opcodes of protocols 2 to 5 that Python's pickler emits for plain data).
 * It never imports, calls or instantiates anything: every global ({@code GLOBAL}, {@code STACK_GLOBAL}), call
 * ({@code REDUCE}, {@code NEWOBJ}), persistent id and {@code BUILD} is handed to a {@link Policy}, which decides what
 * inert value stands for it or refuses it.
 *
 * <p>Values: {@code None} is {@code null}, ints are {@link Long} (or {@link BigInteger} beyond 64 bits), floats
 * {@link Double}, booleans {@link Boolean}, text {@link String}, bytes {@code byte[]}, tuples unmodifiable
 * {@link List}s, lists {@link ArrayList}s, dicts {@link LinkedHashMap}s and sets {@link LinkedHashSet}s. Every length
 * is checked against the bytes that remain, so a lying length never allocates more than the pickle's own size.
 */
final class PickleReader {

    /** Most entries of the stack or the memo; far beyond any state dict, it bounds what a pickle can make us hold. */
    static final int MAX_OBJECTS = 1 << 22;

    private static final int MAX_KEY_DEPTH = 100;

    /** Decides what the globals, calls, persistent ids and {@code BUILD}s of a pickle stand for. */
    interface Policy {
        /** The value of global {@code module.name}, or a {@link CheckpointFormatException} refusing it. */
        Object global(String module, String name) throws CheckpointFormatException;

        /** The value of calling {@code callable} (a value returned by {@link #global}) with {@code args}. */
        Object call(Object callable, List<Object> args) throws CheckpointFormatException;

        /** The value of a persistent id. */
        Object persistent(Object pid) throws CheckpointFormatException;

        /** Applies {@code BUILD} state to {@code target}, or refuses it. */
        void build(Object target, Object state) throws CheckpointFormatException;
    }

    /**
     * An inert object that a permissive policy makes of a call to a global it does not know: the call's arguments,
     * its {@code BUILD} state and any list or dict items are recorded, nothing is instantiated.
     */
    static final class Inert {
        final String global;
        final List<Object> args;
        Object state;
        final List<Object> listItems = new ArrayList<>();
        final Map<Object, Object> dictItems = new LinkedHashMap<>();

        Inert(String global, List<Object> args) {
            this.global = global;
            this.args = args;
        }

        @Override
        public String toString() {
            return "an instance of " + global;
        }
    }

    private final String source;
    private final ByteBuffer in;
    private final Policy policy;
    private final List<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;
    private int opcodeAt;

    private PickleReader(String source, ByteBuffer in, Policy policy) {
        this.source = source;
        this.in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.policy = policy;
    }

    /**
     * Runs the pickle in {@code in} (from position 0 to its limit) up to its {@code STOP} and returns the result.
     *
     * @param source names the pickle in messages, e.g. {@code model.bin/archive/data.pkl}
     * @throws CheckpointFormatException if the pickle is malformed, uses an unsupported opcode, or the policy refuses
     *     something
     */
    static Object load(String source, ByteBuffer in, Policy policy) throws CheckpointFormatException {
        return new PickleReader(source, in, policy).run();
    }

    private Object run() throws CheckpointFormatException {
        while (true) {
            opcodeAt = pos;
            int op = u8();
            if (op == 0x2e) { // STOP
                return pop();
            }
            if (!scalar(op) && !container(op) && !object(op)) {
                throw fail(String.format(
                        "unsupported pickle opcode 0x%02x%s (a state dict needs only protocol 2 to 5 data opcodes)",
                        op, op >= 0x20 && op < 0x7f ? " '" + (char) op + "'" : ""));
            }
        }
    }

    /** Framing, marks and scalar values; false if {@code op} is none of them. */
    private boolean scalar(int op) throws CheckpointFormatException {
        switch (op) {
            case 0x80 -> { // PROTO
                int version = u8();
                if (version > 5) {
                    throw fail("pickle protocol " + version + " is not supported (2 to 5 are)");
                }
            }
            case 0x95 -> { // FRAME: a length hint only
                long len = in.getLong(need(8));
                if (len < 0 || len > in.limit() - pos) {
                    throw fail("frame of " + len + " bytes runs past the end of the pickle");
                }
            }
            case 0x28 -> pushMark(); // MARK
            case 0x30 -> { // POP
                if (markCount > 0 && marks[markCount - 1] == stack.size()) {
                    markCount--;
                } else {
                    pop();
                }
            }
            case 0x31 -> popMark(); // POP_MARK
            case 0x32 -> push(peek()); // DUP
            case 0x4e -> push(null); // NONE
            case 0x88 -> push(Boolean.TRUE); // NEWTRUE
            case 0x89 -> push(Boolean.FALSE); // NEWFALSE
            case 0x4a -> push((long) in.getInt(need(4))); // BININT
            case 0x4b -> push((long) u8()); // BININT1
            case 0x4d -> push((long) (in.getShort(need(2)) & 0xffff)); // BININT2
            case 0x8a -> push(longValue(u8())); // LONG1
            case 0x8b -> push(longValue(length(in.getInt(need(4))))); // LONG4
            case 0x47 -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong(need(8))))); // BINFLOAT
            case 0x58 -> push(utf8(length(in.getInt(need(4))))); // BINUNICODE
            case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
            case 0x8d -> push(utf8(length(in.getLong(need(8))))); // BINUNICODE8
            case 0x54 -> push(latin1(length(in.getInt(need(4))))); // BINSTRING (Python 2 str)
            case 0x55 -> push(latin1(u8())); // SHORT_BINSTRING
            case 0x42 -> push(bytes(length(in.getInt(need(4))))); // BINBYTES
            case 0x43 -> push(bytes(u8())); // SHORT_BINBYTES
            case 0x8e, 0x96 -> push(bytes(length(in.getLong(need(8))))); // BINBYTES8, BYTEARRAY8
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Tuples, lists, dicts, sets and the memo; false if {@code op} is none of them. */
    private boolean container(int op) throws CheckpointFormatException {
        switch (op) {
            case 0x29 -> push(Collections.emptyList()); // EMPTY_TUPLE
            case 0x74 -> push(tuple(popMark())); // TUPLE
            case 0x85 -> push(tuple(popN(1))); // TUPLE1
            case 0x86 -> push(tuple(popN(2))); // TUPLE2
            case 0x87 -> push(tuple(popN(3))); // TUPLE3
            case 0x5d -> push(new ArrayList<>()); // EMPTY_LIST
            case 0x6c -> push(new ArrayList<>(popMark())); // LIST
            case 0x61 -> append(List.of(pop())); // APPEND
            case 0x65 -> append(popMark()); // APPENDS
            case 0x7d -> push(new LinkedHashMap<>()); // EMPTY_DICT
            case 0x64 -> { // DICT
                List<Object> items = popMark();
                Map<Object, Object> dict = new LinkedHashMap<>();
                setItems(dict, items);
                push(dict);
            }
            case 0x73 -> setItems(peekBelow(2), popN(2)); // SETITEM
            case 0x75 -> { // SETITEMS
                List<Object> items = popMark();
                setItems(peek(), items);
            }
            case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
            case 0x90 -> { // ADDITEMS
                List<Object> items = popMark();
                addItems(peek(), items);
            }
            case 0x91 -> { // FROZENSET
                List<Object> items = popMark();
                Set<Object> set = new LinkedHashSet<>();
                addItems(set, items);
                push(Collections.unmodifiableSet(set));
            }
            case 0x68 -> push(get(u8())); // BINGET
            case 0x6a -> push(get(in.getInt(need(4)) & 0xffffffffL)); // LONG_BINGET
            case 0x71 -> put(u8()); // BINPUT
            case 0x72 -> put(in.getInt(need(4)) & 0xffffffffL); // LONG_BINPUT
            case 0x94 -> put(memo.size()); // MEMOIZE
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Globals, calls, BUILD and persistent ids, all decided by the policy; false if {@code op} is none of them. */
    private boolean object(int op) throws CheckpointFormatException {
        switch (op) {
            case 0x63 -> { // GLOBAL
                String module = line();
                String name = line();
                push(policy.global(module, name));
            }
            case 0x93 -> { // STACK_GLOBAL
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw fail("STACK_GLOBAL needs two strings, found " + describe(module) + " and " + describe(name));
                }
                push(policy.global((String) module, (String) name));
            }
            case 0x52, 0x81 -> { // REDUCE, NEWOBJ
                List<Object> args = args(pop());
                push(policy.call(pop(), args));
            }
            case 0x92 -> { // NEWOBJ_EX
                Object kwargs = pop();
                List<Object> args = args(pop());
                if (!(kwargs instanceof Map<?, ?> map) || !map.isEmpty()) {
                    throw fail("NEWOBJ_EX with keyword arguments (" + describe(kwargs) + ") is not supported");
                }
                push(policy.call(pop(), args));
            }
            case 0x62 -> { // BUILD
                Object state = pop();
                policy.build(peek(), state);
            }
            case 0x51 -> push(policy.persistent(pop())); // BINPERSID
            default -> {
                return false;
            }
        }
        return true;
    }

    // --- stack and memo ---------------------------------------------------------------------------------------

    private void push(Object o) throws CheckpointFormatException {
        if (stack.size() >= MAX_OBJECTS) {
            throw fail("pickle stack grows beyond " + MAX_OBJECTS + " entries");
        }
        stack.add(o);
    }

    private Object pop() throws CheckpointFormatException {
        if (stack.size() <= floor()) {
            throw fail("pickle stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws CheckpointFormatException {
        if (stack.size() <= floor()) {
            throw fail("pickle stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    /** The entry {@code depth} below the top (1 = top). */
    private Object peekBelow(int depth) throws CheckpointFormatException {
        if (stack.size() - floor() < depth + 1) {
            throw fail("pickle stack underflow");
        }
        return stack.get(stack.size() - 1 - depth);
    }

    private List<Object> popN(int n) throws CheckpointFormatException {
        if (stack.size() - floor() < n) {
            throw fail("pickle stack underflow");
        }
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        List<Object> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    /** Lowest stack index the current opcode may pop (entries below the innermost mark belong to outer frames). */
    private int floor() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private void pushMark() throws CheckpointFormatException {
        if (markCount >= MAX_OBJECTS) {
            throw fail("more than " + MAX_OBJECTS + " open marks");
        }
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, marks.length * 2);
        }
        marks[markCount++] = stack.size();
    }

    private List<Object> popMark() throws CheckpointFormatException {
        if (markCount == 0) {
            throw fail("no MARK to pop to");
        }
        int mark = marks[--markCount];
        List<Object> top = stack.subList(mark, stack.size());
        List<Object> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    private Object get(long index) throws CheckpointFormatException {
        Object o = memo.get(index);
        if (o == null && !memo.containsKey(index)) {
            throw fail("memo entry " + index + " is read before it is written");
        }
        return o;
    }

    private void put(long index) throws CheckpointFormatException {
        if (memo.size() >= MAX_OBJECTS && !memo.containsKey(index)) {
            throw fail("pickle memo grows beyond " + MAX_OBJECTS + " entries");
        }
        memo.put(index, peek());
    }

    // --- containers ---------------------------------------------------------------------------------------------

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(items);
    }

    private List<Object> args(Object o) throws CheckpointFormatException {
        if (!(o instanceof List<?>) || o instanceof ArrayList<?>) {
            throw fail("call arguments must be a tuple, found " + describe(o));
        }
        @SuppressWarnings("unchecked")
        List<Object> args = (List<Object>) o;
        return args;
    }

    private void append(List<Object> items) throws CheckpointFormatException {
        Object target = peek();
        if (target instanceof ArrayList<?>) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) target;
            list.addAll(items);
        } else if (target instanceof Inert inert) {
            inert.listItems.addAll(items);
        } else {
            throw fail("APPEND to " + describe(target) + " (a list was expected)");
        }
    }

    private void setItems(Object target, List<Object> items) throws CheckpointFormatException {
        if (items.size() % 2 != 0) {
            throw fail("odd number of dict items (" + items.size() + ")");
        }
        Map<Object, Object> map;
        if (target instanceof LinkedHashMap<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> m = (Map<Object, Object>) target;
            map = m;
        } else if (target instanceof Inert inert) {
            map = inert.dictItems;
        } else {
            throw fail("SETITEM on " + describe(target) + " (a dict was expected)");
        }
        for (int i = 0; i < items.size(); i += 2) {
            checkHashable(items.get(i), 0);
            map.put(items.get(i), items.get(i + 1));
        }
    }

    private void addItems(Object target, List<Object> items) throws CheckpointFormatException {
        if (!(target instanceof LinkedHashSet<?>)) {
            throw fail("ADDITEMS on " + describe(target) + " (a set was expected)");
        }
        @SuppressWarnings("unchecked")
        Set<Object> set = (Set<Object>) target;
        for (Object item : items) {
            checkHashable(item, 0);
            set.add(item);
        }
    }

    /** Refuses what Python could not hash either (mutable containers), so Java hashing stays shallow and acyclic. */
    private void checkHashable(Object key, int depth) throws CheckpointFormatException {
        if (key instanceof ArrayList<?> || key instanceof Map<?, ?> || key instanceof LinkedHashSet<?>) {
            throw fail("unhashable dict key or set item: " + describe(key));
        }
        if (key instanceof List<?> tuple) {
            if (depth >= MAX_KEY_DEPTH) {
                throw fail("dict key nested more than " + MAX_KEY_DEPTH + " tuples deep");
            }
            for (Object o : tuple) {
                checkHashable(o, depth + 1);
            }
        }
    }

    // --- reading ------------------------------------------------------------------------------------------------

    /** Reserves {@code n} bytes and returns where they start. */
    private int need(long n) throws CheckpointFormatException {
        if (n > in.limit() - pos) {
            throw fail("pickle is truncated: " + n + " more bytes needed, " + (in.limit() - pos) + " left");
        }
        int at = pos;
        pos += (int) n;
        return at;
    }

    private int u8() throws CheckpointFormatException {
        return in.get(need(1)) & 0xff;
    }

    private long length(long n) throws CheckpointFormatException {
        if (n < 0 || n > in.limit() - pos) {
            throw fail("length " + n + " runs past the end of the pickle (" + (in.limit() - pos) + " bytes left)");
        }
        return n;
    }

    private byte[] bytes(long n) throws CheckpointFormatException {
        byte[] b = new byte[(int) length(n)];
        in.get(need(n), b);
        return b;
    }

    private String utf8(long n) throws CheckpointFormatException {
        byte[] b = bytes(n);
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw fail("string is not valid UTF-8");
        }
    }

    private String latin1(long n) throws CheckpointFormatException {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    /** A newline-terminated line of a GLOBAL opcode. */
    private String line() throws CheckpointFormatException {
        int start = pos;
        while (true) {
            if (pos >= in.limit()) {
                throw fail("pickle is truncated inside a GLOBAL name");
            }
            if (in.get(pos++) == '\n') {
                break;
            }
        }
        byte[] b = new byte[pos - 1 - start];
        in.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A little-endian two's-complement integer of {@code n} bytes. */
    private Object longValue(long n) throws CheckpointFormatException {
        byte[] b = bytes(n);
        if (b.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            bigEndian[i] = b[b.length - 1 - i];
        }
        BigInteger v = new BigInteger(bigEndian);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private CheckpointFormatException fail(String problem) {
        return new CheckpointFormatException(source + ": " + problem + " (opcode at byte " + opcodeAt + ")");
    }

    /** Names the type of a pickle value for messages, without printing the value. */
    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof String) {
            return "a string";
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "an int";
        }
        if (o instanceof Double) {
            return "a float";
        }
        if (o instanceof Boolean) {
            return "a bool";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof ArrayList<?>) {
            return "a list";
        }
        if (o instanceof List<?>) {
            return "a tuple";
        }
        if (o instanceof Map<?, ?>) {
            return "a dict";
        }
        if (o instanceof Set<?>) {
            return "a set";
        }
        return o.toString();
    }
}
