DROP TABLE `bookings`;
DROP TABLE `rooms`;
DROP TABLE `buildings`;
DROP TABLE `people`;
