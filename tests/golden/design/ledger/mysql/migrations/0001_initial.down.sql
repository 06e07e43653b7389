DROP TABLE `journal_lines`;
DROP TABLE `journal_entries`;
DROP TABLE `accounts`;
