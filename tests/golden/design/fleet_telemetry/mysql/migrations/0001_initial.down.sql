DROP TABLE `readings`;
DROP TABLE `devices`;
DROP TABLE `sites`;
