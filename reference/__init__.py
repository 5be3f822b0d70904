"""Published reference figures that ship with Harbour, read from the package (no network at run time): the
Department for Education's figures on looked-after children who went missing (reference.dfe), under the Open
Government Licence. Data, not measures: Harbour's own rules never round them again."""
