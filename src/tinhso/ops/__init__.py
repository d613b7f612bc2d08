"""Operations of an installation: consistent backup and restore (`tinhso backup DIR`, `tinhso restore DIR`)."""
