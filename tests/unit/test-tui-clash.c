/*
 * test-tui-clash.c: what a card saved over someone else's change keeps
 * of each field (src/tui/clash.c): a field only one side changed is
 * not a clash, nor one both set alike; a list field's union keeps the
 * elements of both, once each.
 */
#include "config.h"

#include "tui/clash.h"
#include "tap.h"

int
main(void)
{
	struct buf	 b = BUF_INIT;

	ok(clash_classify("Москва", "Москва", "Тверь") == CLASH_THEIRS,
	    "not edited here: theirs, no question");
	ok(clash_classify("Москва", "Казань", "Москва") == CLASH_MINE,
	    "edited only here: mine, no question");
	ok(clash_classify("Москва", "Казань", "Казань") == CLASH_SAME,
	    "both to one value: no question");
	ok(clash_classify("Москва", "Москва", "Москва") == CLASH_THEIRS,
	    "nobody changed it");
	ok(clash_classify("Москва", "Казань", "Тверь") == CLASH_BOTH,
	    "both, differently: a clash");
	ok(clash_classify(NULL, "Казань", "Тверь") == CLASH_BOTH,
	    "base unknown, values differ: a clash");
	ok(clash_classify(NULL, "Казань", "Казань") == CLASH_SAME,
	    "base unknown, values alike: none");

	clash_union("+7 916 111-11-11", "+7 926 222-22-22", &b);
	is_str(b.data, "+7 916 111-11-11, +7 926 222-22-22",
	    "union of two phones");
	clash_union("+7 495 000-00-00, +7 916 111-11-11",
	    "+7 495 000-00-00, +7 926 222-22-22", &b);
	is_str(b.data, "+7 495 000-00-00, +7 916 111-11-11, "
	    "+7 926 222-22-22", "an element both have is there once");
	clash_union("VIP, опт", "vip;Розница", &b);
	is_str(b.data, "VIP, опт, Розница",
	    "case folded, split at ; as the record layer does");
	clash_union("", "a@b.ru", &b);
	is_str(b.data, "a@b.ru", "union with an empty list");
	clash_union("", "", &b);
	is_str(b.data, "", "two empty lists");

	ok(clash_only_added("+7 495 000-00-00",
	    "+7 495 000-00-00, +7 916 111-11-11"), "an element added");
	ok(clash_only_added("", "x"), "added to an empty list");
	ok(!clash_only_added("+7 495 000-00-00, +7 916 111-11-11",
	    "+7 916 111-11-11"), "an element removed");
	ok(!clash_only_added("a", "b"), "an element replaced");
	buf_release(&b);
	return (tap_done());
}
