"""The records every Python interop script sends: keys, binary values (every byte value occurs)
and headers, one of them with an empty value. Record i is the same in every script. The values
repeat text so that every codec shrinks a batch: librdkafka and kafka-python send a batch
uncompressed when compressing does not make it smaller."""


def sent_records(count=50):
    return [(b"key-%d" % i,
             bytes(range(i * 5 % 256)) + b"value-%d|" % i * 8 + bytes(range(255, 255 - i % 7, -1)),
             [("h", b"v%d" % i), ("e", b"")])
            for i in range(count)]


def check_same(sent, got):
    """Exits with the first difference: records must come back byte-exact and in order."""
    import sys
    if len(got) != len(sent):
        sys.exit("got %d records, sent %d" % (len(got), len(sent)))
    for i, (want, have) in enumerate(zip(sent, got)):
        if want != have:
            sys.exit("record %d differs: got %r, sent %r" % (i, have, want))
