"""HTTP pieces every feature shares and none owns: forms, byte ranges, facts about the client."""
