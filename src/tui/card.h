/*
 * card: the record card screen (card.c).  Its entry points are in tui.h
 * (tui_card_new, tui_drafts_offer); this header gives the command
 * tables of the card and of its conflict screen, so help and the key
 * list of clerk(1) can be made from them like every screen's.
 */
#ifndef CLERK_TUI_CARD_H
#define CLERK_TUI_CARD_H

#include "tui.h"

extern const struct tui_cmd tui_card_cmds[];
extern const struct tui_cmd tui_card_field_cmds[];
extern const struct tui_cmd tui_conflict_cmds[];

#endif
