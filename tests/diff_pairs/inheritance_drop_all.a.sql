-- a whole inheritance tree (three levels, and a child of two parents) dropped: children go
-- before their parents; reversed: parents are created before their children
CREATE TABLE keep (id integer);
CREATE TABLE base (id integer, created date);
CREATE TABLE mixin (tag text);
CREATE TABLE mid (level integer) INHERITS (base);
CREATE TABLE leaf () INHERITS (mid);
CREATE TABLE both_parents () INHERITS (base, mixin);
